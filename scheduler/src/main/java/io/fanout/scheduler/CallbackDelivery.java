package io.fanout.scheduler;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One event of a job's callback and where its delivery stands.
 *
 * @param id the delivery's id; its {@code webhook-id} is {@link #webhookId()}
 * @param jobId the job it reports on
 * @param type {@code job.completed}, {@code job.failed}, {@code job.cancelled} or {@code job.progress}
 * @param status pending, delivered, or failed for good
 * @param attempts attempts made so far
 * @param lastStatusCode the receiver's status at the last attempt, if it answered
 * @param lastError why the last attempt failed, if it did
 * @param createdAt when the event happened
 * @param nextAttemptAt when it is tried next, while pending
 * @param firstAttemptAt when it was first tried (since the last re-delivery)
 * @param lastAttemptAt when it was last tried
 * @param deliveredAt when a receiver accepted it
 */
public record CallbackDelivery(UUID id, UUID jobId, String type, Status status, int attempts,
		@Nullable Integer lastStatusCode, @Nullable String lastError, Instant createdAt, @Nullable Instant nextAttemptAt,
		@Nullable Instant firstAttemptAt, @Nullable Instant lastAttemptAt, @Nullable Instant deliveredAt) {

	/** Where a delivery stands. */
	public enum Status {

		/** Waiting for its next attempt, or being attempted. */
		PENDING,

		/** A receiver answered 2xx. */
		DELIVERED,

		/** Given up: the retry period passed, or the URL can never be reached (blocked address). */
		FAILED

	}

	/** The {@code webhook-id} header of every attempt: the same for retries and re-deliveries. */
	public String webhookId() {
		return webhookId(this.id);
	}

	/** The {@code webhook-id} of the delivery with this id. */
	public static String webhookId(UUID id) {
		return "msg_" + id.toString().replace("-", "");
	}

}
