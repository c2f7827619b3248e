package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fanout.fetch.OutcomeKind;

import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Jobs as their owners see them: submission, queries, cancellation and deletion, each scoped to the
 * owner (the tenant) where it names one. What workers do with a job is the {@link JobQueue}'s. Times
 * are passed in by the caller (from its injected clock); the repository never reads a clock.
 * <p>
 * Every operation is a unit of work of its own, or a part of the caller's transaction when it runs
 * inside one ({@link io.fanout.scheduler.r2dbc.Database#transactional}).
 */
public interface JobRepository {

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
	default Mono<Job> findIdempotent(String owner, String idempotencyKey, JobSpec spec, @Nullable UUID scheduleId) {
		return findIdempotent(owner, idempotencyKey, spec, scheduleId, null, null);
	}

	/**
	 * The owner's job with this idempotency key, if its submission equals this one, its
	 * {@code notBefore} and the job it reruns included.
	 * @return the job, or empty if the key is unused
	 * @throws IdempotencyConflictException (as the error signal) if the key was used for another submission
	 */
	Mono<Job> findIdempotent(String owner, String idempotencyKey, JobSpec spec, @Nullable UUID scheduleId,
			@Nullable Instant notBefore, @Nullable UUID rerunOf);

	/** Jobs waiting in the queue, all owners together. */
	Mono<Long> countQueued();

	/** Every owner's jobs waiting and running, owners with neither left out. */
	Mono<List<TenantLoad>> loads();

	/** What the owner's jobs use of its quotas now. */
	Mono<TenantUsage> usage(String owner);

	/** The owner's job, or empty. */
	Mono<Job> find(String owner, UUID jobId);

	/** The owner's job's spec, or empty. */
	Mono<JobSpec> findSpec(String owner, UUID jobId);

	/** The indexes of the job's requests whose result has one of these outcomes, in order. The caller checks ownership. */
	Mono<List<Integer>> resultIndexes(UUID jobId, Set<OutcomeKind> outcomes);

	/** The ids of the owner's reruns of the job, newest first, at most {@code limit}. */
	Mono<List<UUID>> reruns(String owner, UUID jobId, int limit);

	/**
	 * For a rerun, the index in the job it reruns of each of these indexes of its requests; empty for
	 * any other job. Reads what these indexes need, not all the rerun's. The caller checks ownership.
	 */
	Mono<Map<Integer, Integer>> sourceIndexes(UUID jobId, Collection<Integer> indexes);

	/** A page of the owner's jobs, newest first. */
	Mono<JobPage> list(String owner, JobQuery query);

	/** The statuses of these jobs, of any owner; a job that is gone is left out. */
	Mono<Map<UUID, JobStatus>> statuses(Collection<UUID> jobIds);

	/**
	 * A page of a job's results by request index, at most {@code query.limit()} of them and, past the
	 * first, at most {@code maxBytes} of them by the size of their stored columns (the body only
	 * when the query asks for bodies, which are otherwise not read). The caller checks ownership.
	 */
	Mono<ResultPage> results(UUID jobId, ResultQuery query, long maxBytes);

	/**
	 * A job's results in storage order, from the {@code fromSeq}-th stored (0-based): at most
	 * {@code limit} and, past the first, at most {@code maxBytes} of them, as {@link #results}.
	 */
	Mono<StoredResults> resultsInStoredOrder(UUID jobId, int fromSeq, int limit, long maxBytes, boolean withBodies);

	/**
	 * Results read in storage order.
	 *
	 * @param results the results, the first being the {@code fromSeq}-th stored
	 * @param more whether more were stored already: the read stopped at its limit or its byte budget
	 */
	record StoredResults(List<JobResult> results, boolean more) {

		public StoredResults {
			results = List.copyOf(results);
		}

	}

	/**
	 * Flags the owner's job for cancellation if it may still be cancelled (queued or running).
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

}
