package io.fanout.scheduler.store;

import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where jobs, their specs and their results live, and the queue they wait in. Times are always
 * passed in by the caller (from its injected clock); the store never reads a clock.
 * <p>
 * Writes on behalf of a running job take a {@link Fence} and fail with {@link LeaseLostException}
 * unless the job is still {@code RUNNING} under that owner and attempt. A job's result writes are
 * serialized by a lock on the job's row, taken first in the same transaction.
 */
public interface JobStore {

	// Submission and queries, scoped to an owner.

	/**
	 * Inserts a queued job. If its idempotency key was taken meanwhile, behaves as
	 * {@link #findIdempotent}.
	 */
	Mono<Job> insert(NewJob job);

	/**
	 * The owner's job with this idempotency key, if its submission equals this one.
	 * @return the job, or empty if the key is unused
	 * @throws IdempotencyConflictException (as the error signal) if the key was used for another submission
	 */
	Mono<Job> findIdempotent(String owner, String idempotencyKey, JobSpec spec, @Nullable UUID scheduleId);

	/** Jobs waiting in the queue, all owners together. */
	Mono<Long> countQueued();

	/** The owner's job, or empty. */
	Mono<Job> find(String owner, UUID jobId);

	/** The owner's job's spec, or empty. */
	Mono<JobSpec> findSpec(String owner, UUID jobId);

	/** A page of the owner's jobs, newest first. */
	Mono<JobPage> list(String owner, JobQuery query);

	/** A page of a job's results by request index. The caller checks ownership. */
	Mono<ResultPage> results(UUID jobId, ResultQuery query);

	/** A job's results in storage order, from the {@code fromSeq}-th stored (0-based). */
	Flux<JobResult> resultsInStoredOrder(UUID jobId, int fromSeq, int limit);

	/**
	 * Flags the owner's job for cancellation if it is queued or running.
	 * @return whether it was flagged (false: no such job, or already finished)
	 */
	Mono<Boolean> requestCancel(String owner, UUID jobId);

	/**
	 * Cancels a queued job at once: {@code QUEUED → CANCELLED}, every request without a result gets a
	 * {@code CANCELLED} one.
	 * @return whether the job was queued (false: it was claimed meanwhile, or is gone)
	 */
	Mono<Boolean> cancelQueued(UUID jobId, Instant now);

	/**
	 * Deletes the owner's finished job with its results.
	 * @return whether it was deleted (false: no such job, or not finished)
	 */
	Mono<Boolean> deleteFinished(String owner, UUID jobId);

	// The queue, for workers.

	/** Requeues running jobs whose lease expired before {@code now} ({@code RUNNING → QUEUED}). */
	Mono<Integer> requeueExpired(Instant now);

	/**
	 * Claims up to {@code max} queued jobs, highest priority first, then oldest
	 * ({@code QUEUED → RUNNING}, attempt + 1, leased to {@code node} until {@code leaseUntil}).
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

}
