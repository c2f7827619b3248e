package io.fanout.scheduler.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.ClaimedJob;
import io.fanout.scheduler.jobs.Fence;
import io.fanout.scheduler.jobs.JobQueue;
import io.fanout.scheduler.jobs.LeaseLostException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One claimed job being run by this node: fetches the requests that have no stored result yet,
 * writes outcomes in batches under the job's fence, and ends the job according to how the fetching
 * stopped.
 */
final class JobRun {

	private static final Log logger = LogFactory.getLog(JobRun.class);

	/** Batches of results that may wait for the one being written. */
	private static final int BATCHES_AHEAD = 8;

	/** Why a run stopped before every request had an outcome. */
	enum StopReason {

		/** Cancellation was requested, on any replica. */
		CANCEL,

		/** The job's deadline passed. */
		DEADLINE,

		/** The lease could not be renewed: another node may own the job now. */
		LEASE_LOST,

		/** This node is shutting down; the job goes back to the queue. */
		SHUTDOWN

	}

	private final Job job;

	private final JobSpec spec;

	private final Fence fence;

	private final JobQueue queue;

	private final FetchClient fetchClient;

	private final SchedulerProperties properties;

	private final Clock clock;

	private final @Nullable Instant deadlineAt;

	private final AtomicReference<@Nullable StopReason> stopReason = new AtomicReference<>();

	private final Sinks.One<StopReason> stopSignal = Sinks.one();

	private final Sinks.Empty<Void> done = Sinks.empty();

	private volatile Instant leaseRenewedAt;

	private volatile boolean fetchedAll;

	private volatile boolean sawFailure;

	JobRun(ClaimedJob claimed, JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			Instant claimedAt) {
		this.job = claimed.job();
		this.spec = claimed.spec();
		this.fence = claimed.fence();
		this.queue = queue;
		this.fetchClient = fetchClient;
		this.properties = properties;
		this.clock = clock;
		this.deadlineAt = this.job.deadlineAt();
		this.leaseRenewedAt = claimedAt;
	}

	UUID jobId() {
		return this.job.id();
	}

	Fence fence() {
		return this.fence;
	}

	/** Asks the run to stop; the first reason given wins. */
	void stop(StopReason reason) {
		if (this.stopReason.compareAndSet(null, reason)) {
			logger.info("Stopping job " + this.job.id() + " on node " + this.fence.node() + ": " + reason);
			this.stopSignal.tryEmitValue(reason);
		}
	}

	boolean isPastDeadline(Instant now) {
		return this.deadlineAt != null && !now.isBefore(this.deadlineAt);
	}

	boolean isRenewalDue(Instant now) {
		return !now.isBefore(this.leaseRenewedAt.plus(this.properties.leaseRenewInterval()));
	}

	boolean hasLeaseExpired(Instant now) {
		return !now.isBefore(this.leaseRenewedAt.plus(this.properties.leaseDuration()));
	}

	void leaseRenewed(Instant at) {
		this.leaseRenewedAt = at;
	}

	/** Completes when the run has ended, however it ended. */
	Mono<Void> whenDone() {
		return this.done.asMono();
	}

	/** Runs the job to its end. Never errors: failures are recorded on the job or logged. */
	Mono<Void> execute() {
		return Mono.defer(this::start)
			.onErrorResume(LeaseLostException.class, (ex) -> {
				logger.info("Job " + this.job.id() + " is no longer held by node " + this.fence.node()
						+ "; its copy here stops");
				return Mono.empty();
			})
			.onErrorResume(this::failInternally)
			.doFinally((signal) -> this.done.tryEmitEmpty());
	}

	private Mono<Void> start() {
		Instant now = this.clock.instant();
		if (this.job.cancelRequested()) {
			stop(StopReason.CANCEL);
			return conclude();
		}
		if (isPastDeadline(now)) {
			stop(StopReason.DEADLINE);
			return conclude();
		}
		if (this.spec.policy().failFast() && this.job.progress().failed() > 0) {
			// A previous attempt stored a failure before it died: fail-fast has already tripped.
			return finish(JobStatus.FAILED, failFastError(), "fail-fast: another request failed");
		}
		return this.queue.resultedIndexes(this.job.id()).flatMap(this::fetch).then(Mono.defer(this::conclude));
	}

	private Mono<Void> fetch(BitSet stored) {
		List<FetchRequest> requests = this.spec.requests();
		if (stored.nextClearBit(0) >= requests.size()) {
			this.fetchedAll = true;
			return Mono.empty();
		}
		if (stored.cardinality() > 0) {
			logger.info("Resuming job " + this.job.id() + " (attempt " + this.fence.attempt() + "): "
					+ stored.cardinality() + " of " + requests.size() + " requests already have a result");
		}
		return this.fetchClient.fetchAll(requests, this.spec.policy(), (index) -> !stored.get(index),
				new FetchScope(this.job.owner()))
			// Only a natural end of the fetch completes here: a stop cancels it instead.
			.doOnComplete(() -> this.fetchedAll = true)
			// Cancelling the fetch aborts its in-flight requests: their connections are closed.
			.takeUntilOther(this.stopSignal.asMono())
			.map((outcome) -> {
				if (!outcome.succeeded()) {
					this.sawFailure = true;
				}
				return JobResult.of(this.job.id(), requests.get(outcome.index()), outcome);
			})
			.bufferTimeout(this.properties.resultBatchSize(), this.properties.resultBatchInterval(), true)
			// Writes happen one at a time; while one runs, up to BATCHES_AHEAD more batches fill. When
			// the database falls further behind, fetching waits for it.
			.concatMap((batch) -> this.queue.appendResults(this.fence, batch), BATCHES_AHEAD)
			.then();
	}

	private Mono<Void> conclude() {
		if (this.fetchedAll) {
			if (this.spec.policy().failFast() && this.sawFailure) {
				return finish(JobStatus.FAILED, failFastError(), "fail-fast: another request failed");
			}
			return finish(JobStatus.COMPLETED, null, "not run");
		}
		StopReason reason = this.stopReason.get();
		if (reason == null) {
			return Mono.error(new IllegalStateException("fetching ended before every request had an outcome"));
		}
		return switch (reason) {
			case CANCEL -> finish(JobStatus.CANCELLED, null, "job cancelled");
			case DEADLINE -> finish(JobStatus.FAILED,
					new JobError(JobError.Kind.DEADLINE_EXCEEDED, "the job's deadline of "
							+ deadlineText(this.spec.deadline()) + " passed before every request had an outcome"),
					"job deadline exceeded");
			case SHUTDOWN -> this.queue.release(this.fence).doOnNext((released) -> {
				if (released) {
					logger.info("Released job " + this.job.id() + " to the queue at shutdown");
				}
			}).then();
			case LEASE_LOST -> Mono.empty();
		};
	}

	private Mono<Void> finish(JobStatus status, @Nullable JobError error, String why) {
		return this.queue.finish(this.fence, status, error, this.spec.requests(), this.clock.instant(), why)
			.doOnSuccess((ignored) -> logger.debug("Job " + this.job.id() + " ended " + status));
	}

	private Mono<Void> failInternally(Throwable ex) {
		logger.error("Job " + this.job.id() + " failed on node " + this.fence.node(), ex);
		JobError error = new JobError(JobError.Kind.INTERNAL,
				"Fanout could not run the job (" + ex.getClass().getSimpleName() + ")");
		return finish(JobStatus.FAILED, error, "job failed").onErrorResume((again) -> {
			// Most likely the database is unreachable: the lease will expire and another attempt resume it.
			logger.warn("Could not record the failure of job " + this.job.id() + ": " + again);
			return Mono.empty();
		});
	}

	private static JobError failFastError() {
		return new JobError(JobError.Kind.FAIL_FAST, "a request failed and the job is fail-fast");
	}

	private static String deadlineText(@Nullable Duration deadline) {
		return (deadline != null) ? deadline.toString().substring(2).toLowerCase(Locale.ROOT) : "?";
	}

}
