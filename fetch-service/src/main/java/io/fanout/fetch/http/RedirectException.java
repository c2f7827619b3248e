package io.fanout.fetch.http;

/** A redirect that cannot be followed: too many hops, or a bad {@code Location}. */
final class RedirectException extends RuntimeException {

	private final RawResponse response;

	RedirectException(String message, RawResponse response) {
		super(message, null, false, false);
		this.response = response;
	}

	RawResponse response() {
		return this.response;
	}

}
