package io.fanout.api.jobs;

import java.time.Duration;

/**
 * A tenant asked for one more live result stream than {@code fanout.api.streams.max-per-tenant}
 * allows on this instance. Answered with a 429 and {@code Retry-After}.
 */
public final class TooManyStreamsException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int limit;

	private final Duration retryAfter;

	TooManyStreamsException(int limit, Duration retryAfter) {
		super("This tenant already has " + limit + " result streams open, the most allowed; close one or retry later.",
				null, false, false);
		this.limit = limit;
		this.retryAfter = retryAfter;
	}

	/** The most streams a tenant may hold open. */
	public int limit() {
		return this.limit;
	}

	/** The wait to suggest. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
