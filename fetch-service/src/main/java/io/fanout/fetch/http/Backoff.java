package io.fanout.fetch.http;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.fetch.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Wait times between attempts: exponential from the initial backoff, capped, with jitter; or what
 * {@code Retry-After} asks, capped likewise.
 */
final class Backoff {

	private Backoff() {
	}

	/**
	 * @param retry the policy
	 * @param retriesSoFar 0 before the second attempt
	 * @param retryAfter the failed response's {@code Retry-After}, if any
	 * @param now the current time, to read an HTTP-date {@code Retry-After}
	 */
	static Duration delay(RetryPolicy retry, long retriesSoFar, @Nullable String retryAfter, Instant now) {
		Duration asked = parseRetryAfter(retryAfter, now);
		if (asked != null) {
			return min(asked, retry.maxBackoff());
		}
		return exponential(retry.initialBackoff(), retry.maxBackoff(), retriesSoFar);
	}

	/**
	 * {@code initial} doubled for each retry so far, capped at {@code max}, with "equal jitter": at
	 * least half the computed wait, so retries stay spaced but spread out.
	 */
	static Duration exponential(Duration initial, Duration max, long retriesSoFar) {
		long exponential = initial.toMillis() << Math.min(retriesSoFar, 30);
		long capped = Math.min((exponential < 0) ? Long.MAX_VALUE : exponential, max.toMillis());
		long half = capped / 2;
		long jitter = (half > 0) ? ThreadLocalRandom.current().nextLong(half + 1) : 0;
		return Duration.ofMillis(half + jitter);
	}

	static @Nullable Duration parseRetryAfter(@Nullable String value, Instant now) {
		if (value == null || value.isBlank()) {
			return null;
		}
		String text = value.strip();
		try {
			long seconds = Long.parseLong(text);
			return (seconds >= 0) ? Duration.ofSeconds(seconds) : null;
		}
		catch (NumberFormatException ex) {
			// Not delta-seconds: try an HTTP-date.
		}
		try {
			Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
			Duration wait = Duration.between(now, at);
			return wait.isNegative() ? Duration.ZERO : wait;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
