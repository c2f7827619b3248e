package io.fanout.fetch;

/**
 * How a fetch ended. The names are stable: they are stored and exposed by the API as they are.
 */
public enum OutcomeKind {

	/** A 2xx (or, when redirects are not followed, a 3xx) response, body read within the limit. */
	SUCCEEDED,

	/** The upstream answered with a status that is not a success, after any retries. */
	HTTP_ERROR,

	/** No complete response within the per-request timeout; the request was aborted. */
	TIMED_OUT,

	/** The connection could not be made or broke (refused, reset, unknown host, TLS). */
	CONNECTION_ERROR,

	/** The upstream host's circuit breaker is open; nothing was sent. */
	CIRCUIT_OPEN,

	/** Admission (the host's or the process's limit) found no room within the timeout; nothing was sent. */
	REJECTED,

	/** The target address is not allowed (SSRF protection); no connection was opened. */
	BLOCKED,

	/** The response body exceeded the size limit; the connection was dropped. */
	BODY_TOO_LARGE,

	/**
	 * A successful response whose extraction rules could not be applied within the budget (time,
	 * or the body's size); its status and body are kept, its extracted values are null.
	 */
	EXTRACTION_FAILED,

	/** The request was cancelled before it finished (job cancelled, fail-fast, deadline). */
	CANCELLED;

	/** Whether this outcome is a success, as {@code gather} would see it. */
	public boolean isSuccess() {
		return this == SUCCEEDED;
	}

}
