package io.fanout.fetch;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

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
		if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
			throw new InvalidFetchRequestException("retry.maxAttempts",
					"maxAttempts must be between 1 and " + MAX_ATTEMPTS);
		}
		if (initialBackoff == null || initialBackoff.isNegative()) {
			throw new InvalidFetchRequestException("retry.initialBackoff", "initialBackoff must not be negative");
		}
		if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
			throw new InvalidFetchRequestException("retry.maxBackoff", "maxBackoff must be at least initialBackoff");
		}
		retryOn = (retryOn == null || retryOn.isEmpty()) ? Set.of() : Set.copyOf(retryOn);
	}

	/** Retries on every retryable failure, {@code maxAttempts} attempts in all. */
	public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
		return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, EnumSet.allOf(RetryOn.class));
	}

}
