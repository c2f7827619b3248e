package io.fanout.fetch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * When and how often a failed request is tried again: exponential backoff with jitter, between
 * {@code initialBackoff} and {@code maxBackoff}. An open circuit and other 4xx are never retried.
 *
 * @param maxAttempts total attempts, the first included (1 means no retry)
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff cap on any wait, {@code Retry-After} included
 * @param retryOn which failures are retried
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Set<RetryOn> retryOn) {

	/** Failures that may be retried. */
	public enum RetryOn {

		/** Refused, reset or otherwise broken connections, and unknown hosts. */
		CONNECTION_ERROR,

		/** The per-request timeout expired. */
		TIMEOUT,

		/** 5xx responses. */
		SERVER_ERROR,

		/** 408 Request Timeout. */
		REQUEST_TIMEOUT,

		/** 429 Too Many Requests, waiting as long as {@code Retry-After} asks (up to {@code maxBackoff}). */
		TOO_MANY_REQUESTS

	}

	/** Most attempts a policy may ask for. */
	public static final int MAX_ATTEMPTS = 10;

	/** One attempt, no retry. */
	public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(1),
			EnumSet.allOf(RetryOn.class));

	public RetryPolicy {
		List<Violation> violations = new ArrayList<>();
		check(maxAttempts, initialBackoff, maxBackoff, violations);
		if (!violations.isEmpty()) {
			throw new InvalidFetchRequestException(violations);
		}
		retryOn = (retryOn == null || retryOn.isEmpty()) ? Set.of() : Set.copyOf(retryOn);
	}

	/** Retries on every retryable failure, {@code maxAttempts} attempts in all. */
	public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
		return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, EnumSet.allOf(RetryOn.class));
	}

	/**
	 * This policy with what a submission gives in place of the settings it names; {@code this} when it
	 * gives nothing or something invalid, which is added to {@code violations}.
	 */
	RetryPolicy apply(PolicyOverrides.@Nullable Retry overrides, List<Violation> violations) {
		if (overrides == null) {
			return this;
		}
		int attempts = (overrides.maxAttempts() != null) ? overrides.maxAttempts() : this.maxAttempts;
		Duration initial = (overrides.initialBackoff() != null) ? overrides.initialBackoff() : this.initialBackoff;
		Duration max = (overrides.maxBackoff() != null) ? overrides.maxBackoff() : this.maxBackoff;
		if (overrides.maxBackoff() == null && initial != null && max.compareTo(initial) < 0) {
			// Only the initial backoff was raised: the cap follows it.
			max = initial;
		}
		List<Violation> found = new ArrayList<>();
		check(attempts, initial, max, found);
		if (!found.isEmpty()) {
			violations.addAll(found);
			return this;
		}
		return new RetryPolicy(attempts, initial, max, this.retryOn);
	}

	private static void check(int maxAttempts, @Nullable Duration initialBackoff, @Nullable Duration maxBackoff,
			List<Violation> violations) {
		if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
			violations.add(new Violation("retry.maxAttempts", "maxAttempts must be between 1 and " + MAX_ATTEMPTS));
		}
		if (initialBackoff == null || initialBackoff.isNegative()) {
			violations.add(new Violation("retry.initialBackoff", "initialBackoff must not be negative"));
		}
		else if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
			violations.add(new Violation("retry.maxBackoff", "maxBackoff must be at least initialBackoff"));
		}
	}

}
