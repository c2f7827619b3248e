package io.fanout.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A private, migrated database for one test class: an in-memory H2 database, or a schema of its own
 * in the local PostgreSQL (127.0.0.1:5432, database {@code test}, user {@code postgres}), dropped on
 * {@link #close()}. Tests of several classes can thus share one PostgreSQL at the same time. The
 * migrations are the Flyway ones on the class path ({@code db/migration}, the scheduler's).
 * <p>
 * Without a reachable PostgreSQL, PostgreSQL tests are skipped, unless
 * {@code FANOUT_REQUIRE_POSTGRES=true} (as in CI), where they fail.
 */
public final class TestDatabase implements AutoCloseable {

	public static final String POSTGRES_HOST = "127.0.0.1";

	public static final int POSTGRES_PORT = 5432;

	private final String r2dbcUrl;

	private final String jdbcUrl;

	private final String user;

	private final String password;

	private final @Nullable String schema;

	private @Nullable ConnectionPool pool;

	private TestDatabase(String r2dbcUrl, String jdbcUrl, String user, String password, @Nullable String schema) {
		this.r2dbcUrl = r2dbcUrl;
		this.jdbcUrl = jdbcUrl;
		this.user = user;
		this.password = password;
		this.schema = schema;
	}

	/** A fresh in-memory H2 database, migrated. */
	public static TestDatabase h2() {
		return h2Unmigrated().migratedTo(null);
	}

	/**
	 * A fresh in-memory H2 database, migrated up to {@code version} only: for a test of a later
	 * migration, which stores rows as an earlier version did and then calls {@link #migrate()}.
	 */
	public static TestDatabase h2(String version) {
		return h2Unmigrated().migratedTo(version);
	}

	private static TestDatabase h2Unmigrated() {
		String name = "fanout_" + suffix();
		return new TestDatabase("r2dbc:h2:mem:///" + name + "?options=DB_CLOSE_DELAY=-1",
				"jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", null);
	}

	/** A fresh schema in the local PostgreSQL, migrated; skips (or, in CI, fails) without PostgreSQL. */
	public static TestDatabase postgres() {
		return postgresUnmigrated().migratedTo(null);
	}

	/** {@link #h2(String)} on PostgreSQL: a fresh schema migrated up to {@code version} only. */
	public static TestDatabase postgres(String version) {
		return postgresUnmigrated().migratedTo(version);
	}

	private static TestDatabase postgresUnmigrated() {
		assumePostgres();
		String schema = "fanout_test_" + suffix();
		String base = POSTGRES_HOST + ":" + POSTGRES_PORT + "/test";
		// Connections over R2DBC carry the schema as their application name: terminateConnections() finds them.
		TestDatabase database = new TestDatabase("r2dbc:postgresql://" + base + "?schema=" + schema
				+ "&applicationName=" + schema,
				"jdbc:postgresql://" + base + "?currentSchema=" + schema, "postgres", "", schema);
		database.execute("CREATE SCHEMA " + schema);
		return database;
	}

	/**
	 * Skips the calling test (or class, from {@code @BeforeAll}) when PostgreSQL is not reachable,
	 * or fails it when {@code FANOUT_REQUIRE_POSTGRES=true}.
	 */
	public static void assumePostgres() {
		if (postgresReachable()) {
			return;
		}
		if (postgresRequired()) {
			Assertions.fail(postgresUnreachableMessage()
					+ ", and FANOUT_REQUIRE_POSTGRES=true requires the PostgreSQL tests to run");
		}
		Assumptions.abort(postgresUnreachableMessage() + ": skipping the PostgreSQL tests");
	}

	static boolean postgresRequired() {
		return "true".equalsIgnoreCase(System.getenv("FANOUT_REQUIRE_POSTGRES"));
	}

	static String postgresUnreachableMessage() {
		return "PostgreSQL is not reachable on " + POSTGRES_HOST + ":" + POSTGRES_PORT;
	}

	static boolean postgresReachable() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(POSTGRES_HOST, POSTGRES_PORT), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	public boolean isPostgres() {
		return this.schema != null;
	}

	public String r2dbcUrl() {
		return this.r2dbcUrl;
	}

	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	/**
	 * Spring properties pointing an application at this database through R2DBC only: Flyway's JDBC
	 * settings are derived from them.
	 */
	public Map<String, Object> r2dbcProperties() {
		return Map.of("spring.r2dbc.url", this.r2dbcUrl, "spring.r2dbc.username", this.user, "spring.r2dbc.password",
				this.password);
	}

	/** Spring properties pointing an application at this database. */
	public Map<String, Object> springProperties() {
		return Map.of("spring.r2dbc.url", this.r2dbcUrl, "spring.r2dbc.username", this.user,
				"spring.r2dbc.password", this.password, "spring.flyway.url", this.jdbcUrl, "spring.flyway.user",
				this.user, "spring.flyway.password", this.password);
	}

	/** A pooled connection factory on this database, closed with it. */
	public synchronized ConnectionFactory connectionFactory() {
		if (this.pool == null) {
			ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(this.r2dbcUrl)
				.mutate()
				.option(ConnectionFactoryOptions.USER, this.user);
			if (!this.password.isEmpty()) {
				options.option(ConnectionFactoryOptions.PASSWORD, this.password);
			}
			ConnectionFactory factory = ConnectionFactories.get(options.build());
			this.pool = new ConnectionPool(ConnectionPoolConfiguration.builder(factory)
				.maxSize(10)
				.maxAcquireTime(Duration.ofSeconds(10))
				.build());
		}
		return this.pool;
	}

	/**
	 * Ends, on the server, every R2DBC connection to this PostgreSQL schema (as a restart of the
	 * server would, for them): what a database blip looks like to the application.
	 * @return how many were ended
	 */
	public long terminateConnections() {
		if (this.schema == null) {
			throw new IllegalStateException("only a PostgreSQL database has connections to end");
		}
		return queryForLong("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
				+ this.schema + "'");
	}

	/** Runs SQL over JDBC, for setting up and inspecting; from test threads only. */
	public void execute(String sql) {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** One number from a query, over JDBC. */
	public long queryForLong(String sql) {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
				Statement statement = connection.createStatement();
				var resultSet = statement.executeQuery(sql)) {
			resultSet.next();
			return resultSet.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The first column of every row of a query, as text, over JDBC. */
	public java.util.List<String> queryForStrings(String sql) {
		try (Connection connection = DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
				Statement statement = connection.createStatement();
				var resultSet = statement.executeQuery(sql)) {
			java.util.List<String> values = new java.util.ArrayList<>();
			while (resultSet.next()) {
				values.add(resultSet.getString(1));
			}
			return values;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Runs the migrations this database has not had yet. */
	public void migrate() {
		migratedTo(null);
	}

	/** This database, migrated up to {@code version}, or to the last migration for {@code null}. */
	private TestDatabase migratedTo(@Nullable String version) {
		var flyway = Flyway.configure().dataSource(this.jdbcUrl, this.user, this.password);
		(version != null ? flyway.target(version) : flyway).load().migrate();
		return this;
	}

	@Override
	public void close() {
		if (this.pool != null) {
			this.pool.disposeLater().block(Duration.ofSeconds(10));
		}
		if (this.schema != null) {
			execute("DROP SCHEMA " + this.schema + " CASCADE");
		}
		else {
			execute("SHUTDOWN");
		}
	}

	private static String suffix() {
		return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
	}

}
