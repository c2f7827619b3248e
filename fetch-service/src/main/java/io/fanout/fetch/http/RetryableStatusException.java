package io.fanout.fetch.http;

/**
 * A response whose status calls for a retry (5xx, 408, 429). Raised inside the circuit breaker so
 * that it counts as a failure there; turned back into an outcome at the end.
 */
final class RetryableStatusException extends RuntimeException {

	private final RawResponse response;

	RetryableStatusException(RawResponse response) {
		super("HTTP " + response.status(), null, false, false);
		this.response = response;
	}

	RawResponse response() {
		return this.response;
	}

}
