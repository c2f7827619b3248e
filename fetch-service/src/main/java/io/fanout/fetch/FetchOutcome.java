package io.fanout.fetch;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What became of one request of a batch.
 *
 * @param index the request's position in its batch
 * @param kind how it ended
 * @param httpStatus the last response's status, if a response was received
 * @param attempts attempts made (0 when nothing was sent)
 * @param startedAt when the first attempt started (or when it was given up, if never sent)
 * @param duration from {@code startedAt} to the end, retries and backoff included
 * @param body the body as text, when textual and within the size limit
 * @param bodySize bytes of body received (for {@code BODY_TOO_LARGE}: the declared or observed size)
 * @param extracted the values of the extraction rules; a rule that matched nothing maps to null
 * @param error why it failed; null on success
 */
public record FetchOutcome(int index, OutcomeKind kind, @Nullable Integer httpStatus, int attempts, Instant startedAt,
		Duration duration, @Nullable String body, long bodySize, Map<String, @Nullable Object> extracted,
		@Nullable FetchError error) {

	public FetchOutcome {
		extracted = (extracted == null || extracted.isEmpty()) ? Map.of()
				: Collections.unmodifiableMap(new LinkedHashMap<>(extracted));
	}

	/** An outcome for a request that was cancelled before it finished. */
	public static FetchOutcome cancelled(int index, Instant at, int attempts, String why) {
		return new FetchOutcome(index, OutcomeKind.CANCELLED, null, attempts, at, Duration.ZERO, null, 0, Map.of(),
				new FetchError(ErrorKind.CANCELLED, why));
	}

	/** Whether the request succeeded. */
	public boolean succeeded() {
		return this.kind.isSuccess();
	}

}
