package io.fanout.fetch.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy.RetryOn;
import io.fanout.fetch.ssrf.BlockedAddressException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.jspecify.annotations.Nullable;

/**
 * Sorts the exceptions an attempt can end with into outcome kinds, error kinds and retry
 * categories. Causes are walked, since Netty and Reactor wrap what they report.
 */
final class Failures {

	/** What a tenant is told of a destination the SSRF rules refuse: nothing of its addresses. */
	static final String DESTINATION_NOT_ALLOWED = "destination not allowed";

	private Failures() {
	}

	/** What the SSRF rules refused and why, addresses included: for the log, never for tenants. */
	static String blockedDetail(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof BlockedAddressException && !(cause instanceof BlockedRedirectException)) {
				return describe(cause);
			}
		}
		return describe(failure);
	}

	/** What a failure means: outcome, error kind, and the retry category it falls in, if any. */
	record Classification(OutcomeKind outcome, ErrorKind error, @Nullable RetryOn retryOn, String message) {
	}

	static Classification classify(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			Classification known = classifyOne(cause);
			if (known != null) {
				return known;
			}
		}
		return new Classification(OutcomeKind.CONNECTION_ERROR, ErrorKind.INTERNAL, null, describe(failure));
	}

	private static @Nullable Classification classifyOne(Throwable cause) {
		if (cause instanceof RetryableStatusException status) {
			int code = status.response().status();
			RetryOn on = (code == 408) ? RetryOn.REQUEST_TIMEOUT
					: (code == 429) ? RetryOn.TOO_MANY_REQUESTS : RetryOn.SERVER_ERROR;
			return new Classification(OutcomeKind.HTTP_ERROR, ErrorKind.HTTP_STATUS, on, "HTTP " + code);
		}
		if (cause instanceof RedirectException) {
			return new Classification(OutcomeKind.HTTP_ERROR, ErrorKind.PROTOCOL, null, describe(cause));
		}
		if (cause instanceof TimeoutException) {
			return new Classification(OutcomeKind.TIMED_OUT, ErrorKind.TIMEOUT, RetryOn.TIMEOUT,
					"no complete response within the timeout; request aborted");
		}
		if (cause instanceof CallNotPermittedException) {
			return new Classification(OutcomeKind.CIRCUIT_OPEN, ErrorKind.CIRCUIT_OPEN, null, describe(cause));
		}
		if (cause instanceof RejectedException) {
			return new Classification(OutcomeKind.REJECTED, ErrorKind.BULKHEAD_FULL, null, describe(cause));
		}
		if (cause instanceof BlockedRedirectException) {
			// Refused by a redirect rule (a scheme, a downgrade to http): the reason is the tenant's to know.
			return new Classification(OutcomeKind.BLOCKED, ErrorKind.ADDRESS_BLOCKED, null, describe(cause));
		}
		if (cause instanceof BlockedAddressException) {
			return new Classification(OutcomeKind.BLOCKED, ErrorKind.ADDRESS_BLOCKED, null, DESTINATION_NOT_ALLOWED);
		}
		if (cause instanceof BodyTooLargeException) {
			return new Classification(OutcomeKind.BODY_TOO_LARGE, ErrorKind.BODY_TOO_LARGE, null, describe(cause));
		}
		if (cause instanceof UnknownHostException) {
			return new Classification(OutcomeKind.CONNECTION_ERROR, ErrorKind.UNKNOWN_HOST, RetryOn.CONNECTION_ERROR,
					"unknown host: " + cause.getMessage());
		}
		if (cause instanceof SSLException) {
			return new Classification(OutcomeKind.CONNECTION_ERROR, ErrorKind.TLS, null, describe(cause));
		}
		if (cause instanceof ConnectException) {
			return new Classification(OutcomeKind.CONNECTION_ERROR, ErrorKind.CONNECTION_REFUSED,
					RetryOn.CONNECTION_ERROR, describe(cause));
		}
		if (cause instanceof IOException || cause instanceof ClosedChannelException) {
			return new Classification(OutcomeKind.CONNECTION_ERROR, ErrorKind.CONNECTION_CLOSED,
					RetryOn.CONNECTION_ERROR, describe(cause));
		}
		return null;
	}

	private static String describe(Throwable failure) {
		String message = failure.getMessage();
		return (message == null || message.isBlank()) ? failure.getClass().getSimpleName() : message;
	}

}
