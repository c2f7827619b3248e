package io.fanout.fetch.http;

/** A bulkhead stayed full for the whole time budget of an attempt; nothing was sent. */
final class RejectedException extends RuntimeException {

	RejectedException(String message) {
		super(message, null, false, false);
	}

}
