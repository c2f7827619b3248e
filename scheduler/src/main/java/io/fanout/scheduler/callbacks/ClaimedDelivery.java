package io.fanout.scheduler.callbacks;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import io.fanout.scheduler.CallbackDelivery;
import org.jspecify.annotations.Nullable;

/**
 * A delivery this instance holds under a lease, with what it needs to send it.
 *
 * @param delivery the delivery as stored
 * @param owner the job's owner, whose secrets sign it
 * @param url where it goes
 * @param headers the callback's extra headers
 * @param body the body rendered at its first attempt; null before that
 */
record ClaimedDelivery(CallbackDelivery delivery, String owner, URI url, Map<String, String> headers,
		@Nullable String body) {

	/** When the retry period of this delivery started: its first attempt, or this one. */
	Instant periodStart(Instant now) {
		Instant first = this.delivery.firstAttemptAt();
		return (first != null) ? first : now;
	}

	@Override
	public String toString() {
		// Headers can hold credentials for the receiver.
		return "ClaimedDelivery[" + this.delivery.id() + " " + this.delivery.type() + " of job "
				+ this.delivery.jobId() + "]";
	}

}
