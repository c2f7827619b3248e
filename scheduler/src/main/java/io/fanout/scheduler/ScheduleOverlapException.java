package io.fanout.scheduler;

import java.util.UUID;

/**
 * A schedule asked to run now whose previous job is still queued or running, under the
 * {@link OverlapPolicy#SKIP} policy: nothing was launched. {@link #jobId()} is the job still going.
 */
public class ScheduleOverlapException extends SchedulerException {

	private final UUID scheduleId;

	private final JobStatus jobStatus;

	public ScheduleOverlapException(UUID scheduleId, UUID runningJobId, JobStatus jobStatus) {
		super(runningJobId, "the previous run of schedule " + scheduleId + " (job " + runningJobId + ") is still "
				+ jobStatus + " and its overlap policy is SKIP");
		this.scheduleId = scheduleId;
		this.jobStatus = jobStatus;
	}

	/** The schedule. */
	public UUID scheduleId() {
		return this.scheduleId;
	}

	/** The status of the job still going. */
	public JobStatus jobStatus() {
		return this.jobStatus;
	}

}
