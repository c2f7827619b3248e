package io.fanout.scheduler.jobs;

import java.time.Instant;
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
 */
public record NewJob(UUID id, String owner, JobSpec spec, @Nullable String idempotencyKey,
		@Nullable UUID scheduleId, Instant createdAt) {

}
