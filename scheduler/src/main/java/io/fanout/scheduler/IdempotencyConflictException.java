package io.fanout.scheduler;

import java.util.UUID;

/**
 * An idempotency key that this owner already used for a different submission. The same key with
 * the same submission is not an error: it returns the job created the first time.
 */
public class IdempotencyConflictException extends SchedulerException {

	private final String idempotencyKey;

	public IdempotencyConflictException(UUID existingJobId, String idempotencyKey) {
		super(existingJobId, "idempotency key '" + idempotencyKey + "' was already used for a different job ("
				+ existingJobId + ")");
		this.idempotencyKey = idempotencyKey;
	}

	/** The key that was reused. */
	public String idempotencyKey() {
		return this.idempotencyKey;
	}

}
