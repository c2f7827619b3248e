package io.fanout.scheduler;

import java.util.UUID;

/**
 * No such schedule for this owner. Another owner's schedule is reported the same way, so that its
 * existence does not leak across tenants.
 */
public class ScheduleNotFoundException extends SchedulerException {

	private final UUID scheduleId;

	public ScheduleNotFoundException(UUID scheduleId) {
		super(null, "schedule " + scheduleId + " not found");
		this.scheduleId = scheduleId;
	}

	/** The schedule that was looked for. */
	public UUID scheduleId() {
		return this.scheduleId;
	}

}
