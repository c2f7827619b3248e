package io.fanout.scheduler.r2dbc;

import java.util.Locale;

import io.r2dbc.spi.ConnectionFactory;

/**
 * The databases the store supports. They share one set of migrations and all SQL but the claim, the
 * deletion of jobs (which names the rows it removed) and PostgreSQL's rate slots.
 */
public enum Dialect {

	/** PostgreSQL: clustered deployments, any number of replicas. */
	POSTGRESQL,

	/** H2, embedded: one instance. */
	H2;

	/** The dialect of the database behind this connection factory. */
	public static Dialect of(ConnectionFactory connectionFactory) {
		String name = connectionFactory.getMetadata().getName().toLowerCase(Locale.ROOT);
		if (name.contains("postgres")) {
			return POSTGRESQL;
		}
		if (name.contains("h2")) {
			return H2;
		}
		throw new IllegalStateException("Fanout's job store supports PostgreSQL and H2, not "
				+ connectionFactory.getMetadata().getName());
	}

	/** Whether the R2DBC driver does its (blocking) work in the thread that calls it. */
	boolean runsInCallingThread() {
		return this == H2;
	}

}
