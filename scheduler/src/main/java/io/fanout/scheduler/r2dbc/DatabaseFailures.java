package io.fanout.scheduler.r2dbc;

import java.io.IOException;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;

/**
 * Tells failures that say the database is (for now) out of reach from those that say a statement is
 * wrong. The first kind is worth trying again once a connection can be had: a restarted server, a
 * dropped connection, a full pool. The second would fail the same way every time.
 */
public final class DatabaseFailures {

	private DatabaseFailures() {
	}

	/** Whether {@code failure}, or one of its causes, is the database being out of reach. */
	public static boolean isTransient(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof DataAccessResourceFailureException || cause instanceof TransientDataAccessException
					|| cause instanceof R2dbcTransientException || cause instanceof R2dbcNonTransientResourceException
					|| cause instanceof IOException) {
				return true;
			}
			if (cause instanceof R2dbcException r2dbc && isConnectionState(r2dbc.getSqlState())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * SQLSTATE class 08 (connection exception) and 57P0x (the server shutting down, or an
	 * administrator ending the session).
	 */
	private static boolean isConnectionState(String state) {
		return state != null && (state.startsWith("08") || state.startsWith("57P0"));
	}

}
