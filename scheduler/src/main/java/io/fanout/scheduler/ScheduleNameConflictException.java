package io.fanout.scheduler;

import java.util.UUID;

/**
 * A schedule name that this owner already gave another schedule; names are unique per owner.
 */
public class ScheduleNameConflictException extends SchedulerException {

	private final String name;

	private final UUID existingScheduleId;

	public ScheduleNameConflictException(String name, UUID existingScheduleId) {
		super(null, "a schedule named '" + name + "' already exists (" + existingScheduleId + ")");
		this.name = name;
		this.existingScheduleId = existingScheduleId;
	}

	/** The name asked for. */
	public String name() {
		return this.name;
	}

	/** The schedule that has it. */
	public UUID existingScheduleId() {
		return this.existingScheduleId;
	}

}
