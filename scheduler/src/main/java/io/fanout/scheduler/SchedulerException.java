package io.fanout.scheduler;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Root of the exceptions the scheduler throws to its callers. Carries the job it is about, when
 * there is one, so that callers can report it without parsing messages.
 */
public abstract class SchedulerException extends RuntimeException {

	private final @Nullable UUID jobId;

	protected SchedulerException(@Nullable UUID jobId, String message) {
		super(message);
		this.jobId = jobId;
	}

	protected SchedulerException(@Nullable UUID jobId, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.jobId = jobId;
	}

	/** The job this is about, if any. */
	public @Nullable UUID jobId() {
		return this.jobId;
	}

}
