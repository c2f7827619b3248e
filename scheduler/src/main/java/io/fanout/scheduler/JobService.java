package io.fanout.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Submits, finds, cancels and deletes jobs, and reads their results. Every operation is scoped to an
 * owner (the tenant): another owner's job is reported as {@link JobNotFoundException}.
 * <p>
 * Works the same on every replica: the state lives in the job store, so a job submitted through
 * one instance can be queried, streamed or cancelled through any other.
 */
public interface JobService {

	/** Submits a job without an idempotency key. */
	default Mono<Job> submit(String owner, JobSpec spec) {
		return submit(owner, spec, null, null);
	}

	/** Submits a job; see {@link #submit(String, JobSpec, String, UUID)}. */
	default Mono<Job> submit(String owner, JobSpec spec, @Nullable String idempotencyKey) {
		return submit(owner, spec, idempotencyKey, null);
	}

	/** Submits a job to start as soon as a worker is free; see {@link #submit(String, JobSpec, String, UUID, Instant)}. */
	default Mono<Job> submit(String owner, JobSpec spec, @Nullable String idempotencyKey, @Nullable UUID scheduleId) {
		return submit(owner, spec, idempotencyKey, scheduleId, null);
	}

	/**
	 * Queues a job. With an idempotency key already used by this owner, returns the job created then
	 * if the submission is the same, or fails with {@link IdempotencyConflictException} if it differs.
	 * A delayed job ({@code notBefore}) waits in the queue like any other, and counts as queued for
	 * the queue's bound and the owner's quota, but no worker claims it before {@code notBefore}.
	 * @param owner the tenant submitting it
	 * @param spec what to run
	 * @param idempotencyKey optional key, unique per owner, that makes retried submissions safe
	 * @param scheduleId the schedule submitting it, if any
	 * @param notBefore when it may start at the earliest; null or past: at once; at most
	 * {@code fanout.scheduler.max-delay} ahead
	 * @return the queued job
	 * @throws InvalidJobSpecException (as the error signal) for a spec over the configured limits, or a
	 * {@code notBefore} too far ahead
	 * @throws QueueFullException (as the error signal) when {@code max-queued-jobs} are waiting
	 * @throws QuotaExceededException (as the error signal) when the owner is at its queued-jobs or
	 * stored-bytes quota
	 */
	Mono<Job> submit(String owner, JobSpec spec, @Nullable String idempotencyKey, @Nullable UUID scheduleId,
			@Nullable Instant notBefore);

	/**
	 * Queues a new job of the requests of a finished job whose results have one of the draft's
	 * outcomes, in their order, under the original's policy with the draft's changes. The new job
	 * names the original ({@link Job#rerunOf()}), each of its results the index of its request in the
	 * original ({@link JobResult#sourceIndex()}), and the original lists it ({@link #reruns}). Limits,
	 * quotas and idempotency keys apply as to a submission.
	 * @throws JobNotFoundException (as the error signal) for no such job of this owner
	 * @throws IllegalJobStateException (as the error signal) if the job has not finished
	 * @throws NothingToRerunException (as the error signal) if no result has one of the outcomes
	 * @throws InvalidJobSpecException (as the error signal) for invalid changes
	 */
	Mono<Job> rerun(String owner, UUID jobId, RerunDraft draft, @Nullable String idempotencyKey);

	/**
	 * The ids of the job's reruns, newest first, at most {@value #MAX_LISTED_RERUNS}. Empty for a job
	 * without any, and for no such job of this owner: it reads only the owner's reruns, so that it can
	 * go alongside {@link #get} without checking the job again.
	 */
	Mono<List<UUID>> reruns(String owner, UUID jobId);

	/** Most reruns {@link #reruns} lists. */
	int MAX_LISTED_RERUNS = 20;

	/** The job, or {@link JobNotFoundException}. */
	Mono<Job> get(String owner, UUID jobId);

	/** What the job was asked to do (headers included: never echo them), or {@link JobNotFoundException}. */
	Mono<JobSpec> getSpec(String owner, UUID jobId);

	/** The owner's jobs matching the query, newest first. */
	Mono<JobPage> list(String owner, JobQuery query);

	/**
	 * Cancels a job. A queued job is cancelled at once; a running one is flagged, and its worker, on
	 * whichever replica, aborts in-flight requests shortly after and ends it {@link JobStatus#CANCELLED}.
	 * Cancelling a job whose cancellation is already under way is not an error.
	 * @return the job after the request: {@code CANCELLED}, or {@code RUNNING} with
	 * {@link Job#cancelRequested()} set
	 * @throws IllegalJobStateException (as the error signal) if the job already finished
	 */
	Mono<Job> cancel(String owner, UUID jobId);

	/**
	 * Deletes a finished job and its results.
	 * @throws IllegalJobStateException (as the error signal) if the job is queued or running
	 */
	Mono<Void> delete(String owner, UUID jobId);

	/**
	 * A page of the job's results in request order, optionally only some outcomes. A page ends early,
	 * with a next cursor, when its results reach {@code fanout.scheduler.max-page-bytes}; a single
	 * larger result makes a page of its own.
	 */
	Mono<ResultPage> results(String owner, UUID jobId, ResultQuery query);

	/**
	 * The job's results as they land: those already stored after {@link ResultStreamQuery#after()}
	 * first, then each new one, in the order they were stored; completes once the job has finished and
	 * every result was emitted. Every result is emitted exactly once, so a stream resumed after the
	 * last position it delivered neither loses nor repeats one. On the instance running the job the
	 * results come from its worker as they are written; elsewhere the store is polled, less often while
	 * nothing changes.
	 */
	Flux<StreamedResult> streamResults(String owner, UUID jobId, ResultStreamQuery query);

	/** Every result of the job as it lands, bodies included; see {@link #streamResults(String, UUID, ResultStreamQuery)}. */
	default Flux<JobResult> streamResults(String owner, UUID jobId) {
		return streamResults(owner, jobId, new ResultStreamQuery(0, true)).map(StreamedResult::result);
	}

}
