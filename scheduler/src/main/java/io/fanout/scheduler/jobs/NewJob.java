package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.fanout.scheduler.JobSpec;
import org.jspecify.annotations.Nullable;

/**
 * A job to insert, queued.
 *
 * @param id its time-ordered id
 * @param owner the submitting tenant
 * @param spec what to run
 * @param idempotencyKey optional key, unique per owner
 * @param scheduleId the submitting schedule, if any
 * @param createdAt submission time
 * @param notBefore when it may be claimed at the earliest, if later than at once
 * @param rerunOf the job it reruns, if any
 * @param sourceIndexes for a rerun, the index in {@code rerunOf} of each of its requests; else empty
 */
public record NewJob(UUID id, String owner, JobSpec spec, @Nullable String idempotencyKey,
		@Nullable UUID scheduleId, Instant createdAt, @Nullable Instant notBefore, @Nullable UUID rerunOf,
		List<Integer> sourceIndexes) {

	public NewJob {
		sourceIndexes = (sourceIndexes == null) ? List.of()
				: (sourceIndexes instanceof IndexList immutable) ? immutable : List.copyOf(sourceIndexes);
		if (rerunOf != null && sourceIndexes.size() != spec.requests().size()) {
			throw new IllegalArgumentException("a rerun needs the source index of each of its requests");
		}
	}

	/** A job to start as soon as a worker is free, neither delayed nor a rerun. */
	public NewJob(UUID id, String owner, JobSpec spec, @Nullable String idempotencyKey, @Nullable UUID scheduleId,
			Instant createdAt) {
		this(id, owner, spec, idempotencyKey, scheduleId, createdAt, null, null, List.of());
	}

}
