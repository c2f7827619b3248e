package io.fanout.fetch.http;

/** No room for the request at its host or in the process for its whole time budget; nothing was sent. */
final class RejectedException extends RuntimeException {

	RejectedException(String message) {
		super(message, null, false, false);
	}

}
