package io.fanout.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A submitted job as stored: identity, ownership, status and progress. Its requests are not part of
 * it (a job may have thousands); {@link JobService#getSpec} returns them.
 *
 * @param id time-ordered (version 7) UUID, so newer jobs sort after older ones
 * @param owner the tenant that submitted it; nobody else sees it
 * @param name optional name
 * @param labels labels to filter by
 * @param priority higher runs first
 * @param status where it is in its life
 * @param progress request count and outcomes so far
 * @param attempt how many times a worker claimed it (more than 1 after a crash or a release)
 * @param cancelRequested whether cancellation was asked for; a running worker notices it shortly
 * @param createdAt when it was submitted
 * @param startedAt when a worker first started it
 * @param finishedAt when it reached a terminal status
 * @param deadline optional limit for the whole job, from {@code startedAt}
 * @param error why it failed, for {@link JobStatus#FAILED}
 * @param idempotencyKey the key it was submitted with, if any
 * @param scheduleId the schedule that submitted it, if any
 * @param notBefore when it may start at the earliest, if it was submitted for later; an instant past at
 * submission means at once
 * @param rerunOf the finished job whose requests it runs again, if it is a rerun
 */
public record Job(UUID id, String owner, @Nullable String name, Map<String, String> labels, int priority,
		JobStatus status, JobProgress progress, int attempt, boolean cancelRequested, Instant createdAt,
		@Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable Duration deadline,
		@Nullable JobError error, @Nullable String idempotencyKey, @Nullable UUID scheduleId,
		@Nullable Instant notBefore, @Nullable UUID rerunOf) {

	public Job {
		labels = (labels != null) ? Map.copyOf(labels) : Map.of();
	}

	/** Whether the job will never change again. */
	public boolean isFinished() {
		return this.status.isTerminal();
	}

	/** When the deadline falls, if the job has one and has started. */
	public @Nullable Instant deadlineAt() {
		return (this.deadline != null && this.startedAt != null) ? this.startedAt.plus(this.deadline) : null;
	}

}
