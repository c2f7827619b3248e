package io.fanout.fetch;

/**
 * Root of the exceptions fetch-service throws to its callers.
 */
public abstract class FetchException extends RuntimeException {

	protected FetchException(String message) {
		super(message);
	}

	protected FetchException(String message, Throwable cause) {
		super(message, cause);
	}

}
