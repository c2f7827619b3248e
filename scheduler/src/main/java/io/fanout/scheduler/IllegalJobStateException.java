package io.fanout.scheduler;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * An operation that the job's current status does not allow, such as cancelling a finished job or
 * deleting a running one.
 */
public class IllegalJobStateException extends SchedulerException {

	private final JobStatus status;

	public IllegalJobStateException(@Nullable UUID jobId, JobStatus status, String message) {
		super(jobId, message);
		this.status = status;
	}

	/** The status the job was in. */
	public JobStatus status() {
		return this.status;
	}

}
