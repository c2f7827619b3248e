package io.fanout.scheduler.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.FetchTracing;
import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.admission.MemoryBudget;
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
import io.fanout.scheduler.r2dbc.DatabaseFailures;
import io.micrometer.tracing.Span;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * One claimed job being run by this node: fetches the requests that have no stored result yet,
 * writes outcomes in batches under the job's fence, and ends the job according to how the fetching
 * stopped.
 */
final class JobRun {

	private static final Log logger = LogFactory.getLog(JobRun.class);

	/** Batches of results that may wait for the one being written. */
	private static final int BATCHES_AHEAD = 8;

	private static final Duration RETRY_FIRST_BACKOFF = Duration.ofMillis(100);

	private static final Duration RETRY_MAX_BACKOFF = Duration.ofSeconds(2);

	private static final Admission.Permit NOTHING_HELD = () -> {
	};

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

	private final int maxInFlight;

	private final Job job;

	private final JobSpec spec;

	private final Fence fence;

	private final JobQueue queue;

	private final FetchClient fetchClient;

	private final SchedulerProperties properties;

	private final long maxStoredBody;

	private final Clock clock;

	private final MemoryBudget memory;

	private final JobTelemetry telemetry;

	private final Instant claimedAt;

	private final Set<Admission.Permit> heldBodies = ConcurrentHashMap.newKeySet();

	private final @Nullable Instant deadlineAt;

	private final AtomicReference<@Nullable StopReason> stopReason = new AtomicReference<>();

	private final Sinks.One<StopReason> stopSignal = Sinks.one();

	private final Sinks.Empty<Void> done = Sinks.empty();

	private volatile Instant leaseRenewedAt;

	private volatile boolean fetchedAll;

	private volatile boolean sawFailure;

	private volatile @Nullable JobStatus endedAs;

	/**
	 * @param memory the budget of body bytes held in the process, shared with the fetch client: the
	 * bodies of results waiting to be written count in it
	 */
	/** @param maxInFlight the owner's requests-in-flight quota, which the fetch client keeps */
	JobRun(ClaimedJob claimed, JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, Instant claimedAt, int maxInFlight, JobTelemetry telemetry) {
		this.job = claimed.job();
		this.telemetry = telemetry;
		this.claimedAt = claimedAt;
		this.maxInFlight = maxInFlight;
		this.spec = claimed.spec();
		this.fence = claimed.fence();
		this.queue = queue;
		this.fetchClient = fetchClient;
		this.properties = properties;
		this.maxStoredBody = properties.maxStoredBodySize().toBytes();
		this.clock = clock;
		this.memory = memory;
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

	/**
	 * Runs the job to its end. Never errors: failures are recorded on the job or logged. With tracing
	 * on, the run is a span, the parent of its requests' spans.
	 */
	Mono<Void> execute() {
		Span span = this.telemetry.runSpan(this.job, this.fence, this.spec.requests().size());
		return Mono.defer(this::start)
			.onErrorResume(LeaseLostException.class, (ex) -> {
				logger.info("Job " + this.job.id() + " is no longer held by node " + this.fence.node()
						+ "; its copy here stops");
				return Mono.empty();
			})
			.onErrorResume((ex) -> {
				span.error(ex);
				return failInternally(ex);
			})
			.doFinally((signal) -> {
				// Results that never reached the database (a stop, a lost lease) give their room back.
				new ArrayList<>(this.heldBodies).forEach(this::giveBack);
				endSpan(span);
				this.done.tryEmitEmpty();
			})
			.contextWrite((context) -> span.isNoop() ? context : FetchTracing.under(context, span.context()));
	}

	/** How the run ended: the job's terminal status, or why it stopped here without one. */
	private void endSpan(Span span) {
		JobStatus status = this.endedAs;
		StopReason reason = this.stopReason.get();
		if (status != null) {
			span.tag("fanout.job.status", status.name());
		}
		else if (reason != null) {
			span.tag("fanout.job.stopped", reason.name());
		}
		span.end();
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
		return whileLeaseHolds(this.queue.resultedIndexes(this.job.id()), "read the stored results")
			.flatMap(this::fetch)
			.then(Mono.defer(this::conclude));
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
				new FetchScope(this.job.owner(), this.maxInFlight))
			// Only a natural end of the fetch completes here: a stop cancels it instead.
			.doOnComplete(() -> this.fetchedAll = true)
			// Cancelling the fetch aborts its in-flight requests: their connections are closed.
			.takeUntilOther(this.stopSignal.asMono())
			.map((outcome) -> {
				if (!outcome.succeeded()) {
					this.sawFailure = true;
				}
				JobResult result = JobResult.of(this.job.id(), requests.get(outcome.index()), outcome, this.maxStoredBody);
				return new Pending(result, hold(result));
			})
			.bufferTimeout(this.properties.resultBatchSize(), this.properties.resultBatchInterval(), true)
			// Writes happen one at a time; while one runs, up to BATCHES_AHEAD more batches fill. When
			// the database falls further behind (or is away for a while), fetching waits for it.
			.concatMap(this::write, BATCHES_AHEAD)
			.then();
	}

	/** Stores a batch, again and again while the database is unreachable and the lease still holds. */
	private Mono<Void> write(List<Pending> batch) {
		List<JobResult> results = batch.stream().map(Pending::result).toList();
		return whileLeaseHolds(Mono.defer(() -> {
			long start = System.nanoTime();
			return this.queue.appendResults(this.fence, results)
				.doOnSuccess((ignored) -> this.telemetry.resultsWritten(results.size(),
						Duration.ofNanos(System.nanoTime() - start)));
		}), "store results")
			.doFinally((signal) -> batch.forEach((pending) -> giveBack(pending.held())));
	}

	/**
	 * Counts a result's body in the memory budget until it is written. The fetch client counted it
	 * until it handed the outcome over; counting it here keeps new bodies waiting while results pile
	 * up behind a slow or absent database.
	 */
	private Admission.Permit hold(JobResult result) {
		String body = result.body();
		if (body == null || body.isEmpty()) {
			return NOTHING_HELD;
		}
		Admission.Permit held = this.memory.take(body.length());
		this.heldBodies.add(held);
		return held;
	}

	private void giveBack(Admission.Permit held) {
		if (this.heldBodies.remove(held)) {
			held.release();
		}
	}

	/**
	 * {@code write}, retried with backoff when it failed for want of a database connection, for as
	 * long as this node's lease on the job has not run out: a database restart costs a pause, not the
	 * job. Anything else, and a lost lease, fails at once.
	 */
	private <T> Mono<T> whileLeaseHolds(Mono<T> write, String what) {
		return write.retryWhen(Retry.backoff(Long.MAX_VALUE, RETRY_FIRST_BACKOFF)
			.maxBackoff(RETRY_MAX_BACKOFF)
			.filter((failure) -> DatabaseFailures.isTransient(failure) && !hasLeaseExpired(this.clock.instant())
					&& this.stopReason.get() != StopReason.LEASE_LOST)
			.doBeforeRetry((signal) -> {
				if (signal.totalRetriesInARow() == 0) {
					logger.warn("Job " + this.job.id() + " could not " + what + " (" + signal.failure()
							+ "); retrying while its lease holds");
				}
			})
			.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
	}

	/** A result on its way to the database, and the room its body holds meanwhile. */
	private record Pending(JobResult result, Admission.Permit held) {
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
			case SHUTDOWN -> whileLeaseHolds(this.queue.release(this.fence), "release the job").doOnNext((released) -> {
				if (released) {
					logger.info("Released job " + this.job.id() + " to the queue at shutdown");
				}
			}).then();
			case LEASE_LOST -> Mono.empty();
		};
	}

	private Mono<Void> finish(JobStatus status, @Nullable JobError error, String why) {
		return whileLeaseHolds(Mono.defer(() -> this.queue.finish(this.fence, status, error, this.spec.requests(),
				this.clock.instant(), why)), "record its end")
			.doOnSuccess((ignored) -> {
				this.endedAs = status;
				this.telemetry.finished(status, Duration.between(this.claimedAt, this.clock.instant()));
				logger.debug("Job " + this.job.id() + " ended " + status);
			});
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
