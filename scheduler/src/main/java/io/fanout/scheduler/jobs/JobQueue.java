package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.IllegalTransitionException;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The queue jobs wait in, as workers see it: claims under a lease, renewals, and the writes of a
 * running job. Times are passed in by the caller (from its injected clock); the queue never reads a
 * clock.
 * <p>
 * Writes on behalf of a running job take a {@link Fence} and fail with {@link LeaseLostException}
 * unless the job is still {@code RUNNING} under that owner and attempt. A job's result writes are
 * serialized by a lock on the job's row, taken first in the same transaction.
 */
public interface JobQueue {

	/** Requeues running jobs whose lease expired before {@code now} ({@code RUNNING → QUEUED}). */
	Mono<Integer> requeueExpired(Instant now);

	/**
	 * Claims up to {@code max} queued jobs ({@code QUEUED → RUNNING}, attempt + 1, leased to
	 * {@code node} until {@code leaseUntil}), shared fairly among their owners by weight, never more
	 * of an owner's than its running-jobs quota leaves room for; within one owner, highest priority
	 * first, then oldest. A job whose {@code notBefore} is after {@code now} is neither claimed nor
	 * counted as waiting by the fair share.
	 */
	Flux<ClaimedJob> claim(String node, int max, Instant now, Instant leaseUntil);

	/** Extends the lease. @return false if the fence no longer holds */
	Mono<Boolean> renew(Fence fence, Instant leaseUntil);

	/** Ids of the jobs running under {@code node} whose cancellation was requested. */
	Flux<UUID> findCancelRequested(String node);

	/** Indexes of the job's requests that have a stored result. */
	Mono<BitSet> resultedIndexes(UUID jobId);

	/**
	 * Stores results and adds them to the job's counts, in one transaction. Results whose index is
	 * already stored are skipped: a result is written once.
	 * @throws LeaseLostException (as the error signal) if the fence no longer holds; nothing is written
	 */
	Mono<Void> appendResults(Fence fence, List<JobResult> results);

	/**
	 * Ends a running job: every request without a result gets a {@code CANCELLED} one (with
	 * {@code why} as its error), then the job takes status {@code to}, in one transaction.
	 * @param requests the job's requests, to describe the results written here
	 * @throws IllegalTransitionException if a running job cannot end in {@code to}
	 * @throws LeaseLostException (as the error signal) if the fence no longer holds; nothing is written
	 */
	Mono<Void> finish(Fence fence, JobStatus to, @Nullable JobError error, List<FetchRequest> requests, Instant now,
			String why);

	/** Gives a running job back to the queue ({@code RUNNING → QUEUED}). @return false if the fence no longer holds */
	Mono<Boolean> release(Fence fence);

	/**
	 * Deletes up to {@code batchSize} jobs that finished before {@code cutoff}, with their results.
	 * @return how many were deleted
	 */
	Mono<Integer> purgeFinishedBefore(Instant cutoff, int batchSize);

	/** Where the lease of a job stands: its owner and expiry, for operators and tests. Empty if not leased. */
	Mono<Lease> lease(UUID jobId);

	/**
	 * The lease a worker holds on a running job.
	 *
	 * @param owner the node that holds it
	 * @param expiresAt when it runs out unless renewed
	 */
	record Lease(String owner, Instant expiresAt) {
	}

}
