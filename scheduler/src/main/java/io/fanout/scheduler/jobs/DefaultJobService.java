package io.fanout.scheduler.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.NothingToRerunException;
import io.fanout.scheduler.RerunDraft;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.ResultStreamQuery;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.StreamedResult;
import io.fanout.scheduler.r2dbc.TimeOrderedIds;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link JobService} over a {@link JobRepository}. Holds no job state of its own, so every
 * replica answers the same.
 */
public final class DefaultJobService implements JobService {

	/** Results read per query by a live stream. */
	static final int STREAM_PAGE = 500;

	private static final int MAX_KEY_LENGTH = 200;

	private final JobRepository jobs;

	private final JobSpecFactory specs;

	private final QueueLimit queueLimit;

	private final ResultFeed feed;

	private final ResultStream.Settings streams;

	private final long maxPageBytes;

	private final Duration maxDelay;

	private final Clock clock;

	private final Runnable onSubmit;

	private final TimeOrderedIds ids;

	/**
	 * @param specs the server's limits on what a job may be
	 * @param queueLimit the bound on jobs waiting
	 * @param properties the page byte budget and the polling of live streams
	 * @param feed the results of the jobs running here, which their streams follow
	 * @param onSubmit called after a job was queued, to have a local worker look at the queue now
	 */
	public DefaultJobService(JobRepository jobs, JobSpecFactory specs, QueueLimit queueLimit,
			SchedulerProperties properties, ResultFeed feed, Clock clock, Runnable onSubmit) {
		this.jobs = jobs;
		this.specs = specs;
		this.queueLimit = queueLimit;
		this.feed = feed;
		this.maxPageBytes = properties.maxPageBytes().toBytes();
		this.maxDelay = properties.maxDelay();
		this.streams = new ResultStream.Settings(STREAM_PAGE, this.maxPageBytes, properties.streamPollInterval(),
				properties.streamPollMaxInterval());
		this.clock = clock;
		this.onSubmit = onSubmit;
		this.ids = new TimeOrderedIds(clock);
	}

	@Override
	public Mono<Job> submit(String owner, JobSpec spec, @Nullable String idempotencyKey, @Nullable UUID scheduleId,
			@Nullable Instant notBefore) {
		return Mono.defer(() -> {
			checkOwner(owner);
			checkKey(idempotencyKey);
			checkNotBefore(notBefore);
			this.specs.check(spec);
			return enqueue(owner, spec, idempotencyKey, scheduleId, notBefore, null, List.of());
		});
	}

	@Override
	public Mono<Job> rerun(String owner, UUID jobId, RerunDraft draft, @Nullable String idempotencyKey) {
		return Mono.defer(() -> {
			checkOwner(owner);
			checkKey(idempotencyKey);
			checkNotBefore(draft.notBefore());
			return get(owner, jobId).flatMap((original) -> {
				if (!original.isFinished()) {
					return Mono.error(new IllegalJobStateException(jobId, original.status(), "job " + jobId + " is "
							+ original.status() + "; only a finished job can be rerun"));
				}
				// A finished job keeps its spec as long as the job itself: retention deletes both at once.
				return Mono.zip(getSpec(owner, jobId), this.jobs.resultIndexes(jobId, draft.outcomes()))
					.flatMap((found) -> {
						List<Integer> indexes = found.getT2();
						if (indexes.isEmpty()) {
							return Mono.error(new NothingToRerunException(jobId, draft.outcomes()));
						}
						JobSpec spec = this.specs.rerun(found.getT1(), indexes, draft);
						this.specs.check(spec);
						return enqueue(owner, spec, idempotencyKey, null, draft.notBefore(), jobId, indexes);
					});
			});
		});
	}

	/** Inserts a checked job unless the idempotency key finds it, and the queue and quotas have room. */
	private Mono<Job> enqueue(String owner, JobSpec spec, @Nullable String idempotencyKey, @Nullable UUID scheduleId,
			@Nullable Instant notBefore, @Nullable UUID rerunOf, List<Integer> sourceIndexes) {
		Mono<Job> existing = (idempotencyKey != null)
				? this.jobs.findIdempotent(owner, idempotencyKey, spec, scheduleId, notBefore, rerunOf) : Mono.empty();
		// A retried submission finds its job even when the queue has filled up since.
		return existing.switchIfEmpty(this.queueLimit.check(owner).then(Mono.defer(() -> {
			NewJob job = new NewJob(this.ids.next(), owner, spec, idempotencyKey, scheduleId, this.clock.instant(),
					notBefore, rerunOf, sourceIndexes);
			return this.jobs.insert(job).doOnSuccess((inserted) -> this.onSubmit.run());
		})));
	}

	@Override
	public Mono<List<UUID>> reruns(String owner, UUID jobId) {
		return this.jobs.reruns(owner, jobId, MAX_LISTED_RERUNS);
	}

	@Override
	public Mono<Job> get(String owner, UUID jobId) {
		return this.jobs.find(owner, jobId).switchIfEmpty(Mono.error(() -> new JobNotFoundException(jobId)));
	}

	@Override
	public Mono<JobSpec> getSpec(String owner, UUID jobId) {
		return this.jobs.findSpec(owner, jobId).switchIfEmpty(Mono.error(() -> new JobNotFoundException(jobId)));
	}

	@Override
	public Mono<JobPage> list(String owner, JobQuery query) {
		return this.jobs.list(owner, query);
	}

	@Override
	public Mono<Job> cancel(String owner, UUID jobId) {
		return this.jobs.requestCancel(owner, jobId).flatMap((flagged) -> {
			if (!flagged) {
				return get(owner, jobId).flatMap((job) -> Mono.error(new IllegalJobStateException(jobId, job.status(),
						"job " + jobId + " already ended " + job.status() + "; it cannot be cancelled")));
			}
			// Queued: cancelled here and now. Running: its worker sees the flag and stops it.
			return this.jobs.cancelQueued(jobId, this.clock.instant()).then(get(owner, jobId));
		});
	}

	@Override
	public Mono<Void> delete(String owner, UUID jobId) {
		return this.jobs.deleteFinished(owner, jobId).flatMap((deleted) -> {
			if (deleted) {
				return Mono.<Void>empty();
			}
			return get(owner, jobId).flatMap((job) -> {
				if (job.isFinished()) {
					// It finished between the two statements.
					return this.jobs.deleteFinished(owner, jobId).then();
				}
				return Mono.error(new IllegalJobStateException(jobId, job.status(),
						"job " + jobId + " is " + job.status() + "; only finished jobs can be deleted (cancel it first)"));
			});
		});
	}

	@Override
	public Mono<ResultPage> results(String owner, UUID jobId, ResultQuery query) {
		return get(owner, jobId).flatMap((job) -> this.jobs.results(jobId, query, this.maxPageBytes)
			.flatMap((page) -> (job.rerunOf() != null) ? new RerunSources(this.jobs, jobId).page(page)
					: Mono.just(page)));
	}

	@Override
	public Flux<StreamedResult> streamResults(String owner, UUID jobId, ResultStreamQuery query) {
		return get(owner, jobId).flatMapMany((first) -> {
			Flux<StreamedResult> results = new ResultStream(this.jobs, this.feed, jobId, () -> get(owner, jobId),
					this.streams, query.after(), query.withBodies())
				.results();
			return (first.rerunOf() != null) ? new RerunSources(this.jobs, jobId).stream(results) : results;
		});
	}

	private static void checkOwner(String owner) {
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new IllegalArgumentException("owner must be 1 to 200 characters");
		}
	}

	private void checkNotBefore(@Nullable Instant notBefore) {
		// A time already past is no error: the job may start at once, as if it had none.
		if (notBefore != null && notBefore.isAfter(this.clock.instant().plus(this.maxDelay))) {
			throw new InvalidJobSpecException("notBefore",
					"notBefore must be at most " + this.maxDelay + " after the submission");
		}
	}

	private static void checkKey(@Nullable String key) {
		if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH
				|| !key.chars().allMatch((c) -> c >= 0x20 && c < 0x7F))) {
			throw new InvalidJobSpecException("idempotencyKey",
					"an idempotency key is 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
		}
	}

}
