package io.fanout.scheduler;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A status change that is not in the {@link JobStatus} transition table.
 */
public class IllegalTransitionException extends IllegalJobStateException {

	private final JobStatus target;

	public IllegalTransitionException(@Nullable UUID jobId, JobStatus from, JobStatus target) {
		super(jobId, from, "a " + from + " job cannot become " + target
				+ ((jobId != null) ? " (job " + jobId + ")" : ""));
		this.target = target;
	}

	/** The status that was refused. */
	public JobStatus target() {
		return this.target;
	}

}
