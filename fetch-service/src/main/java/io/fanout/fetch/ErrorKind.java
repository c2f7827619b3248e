package io.fanout.fetch;

/**
 * The finer cause of a failed fetch, next to its {@link OutcomeKind}. Stable names.
 */
public enum ErrorKind {

	/** The upstream answered with a non-success HTTP status. */
	HTTP_STATUS,

	/** The per-request timeout expired. */
	TIMEOUT,

	/** The host name did not resolve. */
	UNKNOWN_HOST,

	/** The upstream refused the connection. */
	CONNECTION_REFUSED,

	/** The connection was closed or reset before a complete response. */
	CONNECTION_CLOSED,

	/** The TLS handshake failed. */
	TLS,

	/** The response was not valid HTTP, or a redirect could not be followed. */
	PROTOCOL,

	/** The circuit breaker of the host refused the call. */
	CIRCUIT_OPEN,

	/** A bulkhead refused the call. */
	BULKHEAD_FULL,

	/** The destination is not allowed: the SSRF rules refused its address or scheme, or a redirect downgraded to http. */
	ADDRESS_BLOCKED,

	/** The body went over the size limit. */
	BODY_TOO_LARGE,

	/** Extraction rules took longer than their budget, or the body was larger than extraction reads. */
	EXTRACTION,

	/** The fetch was cancelled. */
	CANCELLED,

	/** Anything else; the message says what. */
	INTERNAL

}
