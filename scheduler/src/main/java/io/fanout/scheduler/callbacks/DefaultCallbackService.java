package io.fanout.scheduler.callbacks;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.CallbackProperties;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.jobs.JobRepository;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** The {@link CallbackService} over the {@link DeliveryStore}. */
public final class DefaultCallbackService implements CallbackService {

	private final JobRepository jobs;

	private final DeliveryStore store;

	private final CallbackProperties properties;

	private final Clock clock;

	public DefaultCallbackService(JobRepository jobs, DeliveryStore store, CallbackProperties properties, Clock clock) {
		this.jobs = jobs;
		this.store = store;
		this.properties = properties;
		this.clock = clock;
	}

	@Override
	public void checkSigning(String owner, JobSpec spec) {
		if (spec.callback() != null && this.properties.secretsOf(owner).isEmpty()) {
			throw new InvalidJobSpecException("callback", "callbacks are signed with the tenant's secret, and tenant '"
					+ owner + "' has none: an operator configures it as fanout.callbacks.secrets.[" + owner + "]");
		}
	}

	@Override
	public Mono<Callback> callback(String owner, UUID jobId) {
		return job(owner, jobId).flatMap(this::callbackOf);
	}

	@Override
	public Mono<Callback> callbackOf(Job job) {
		return this.store.callback(job.id());
	}

	@Override
	public Mono<List<CallbackDelivery>> deliveries(String owner, UUID jobId) {
		return this.store.list(owner, jobId, MAX_LISTED);
	}

	@Override
	public Mono<CallbackDelivery> redeliver(String owner, UUID jobId, @Nullable UUID deliveryId) {
		return job(owner, jobId).flatMap((job) -> this.store.callback(jobId)
			.switchIfEmpty(Mono.error(() -> conflict(job, "job " + jobId + " has no callback")))
			.then(chosen(owner, job, deliveryId))
			.flatMap((delivery) -> this.store.requeue(owner, delivery.id(), this.clock.instant())
				.then(this.store.find(owner, jobId, delivery.id()))));
	}

	private Mono<CallbackDelivery> chosen(String owner, Job job, @Nullable UUID deliveryId) {
		if (deliveryId != null) {
			return this.store.find(owner, job.id(), deliveryId)
				.switchIfEmpty(Mono.error(() -> conflict(job, "job " + job.id() + " has no delivery " + deliveryId)));
		}
		return this.store.list(owner, job.id(), 1)
			.flatMap((latest) -> latest.isEmpty()
					? Mono.error(conflict(job, "job " + job.id() + " has no callback delivery yet: it is "
							+ job.status() + ", and its events come when it ends"))
					: Mono.just(latest.get(0)));
	}

	private Mono<Job> job(String owner, UUID jobId) {
		return this.jobs.find(owner, jobId).switchIfEmpty(Mono.error(() -> new JobNotFoundException(jobId)));
	}

	private static IllegalJobStateException conflict(Job job, String message) {
		return new IllegalJobStateException(job.id(), job.status(), message);
	}

}
