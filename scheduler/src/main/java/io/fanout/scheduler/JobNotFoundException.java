package io.fanout.scheduler;

import java.util.UUID;

/**
 * No such job for this owner. A job of another owner is reported the same way, so that its existence
 * does not leak across tenants.
 */
public class JobNotFoundException extends SchedulerException {

	public JobNotFoundException(UUID jobId) {
		super(jobId, "job " + jobId + " not found");
	}

}
