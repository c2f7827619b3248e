package io.fanout.scheduler.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * The database of the application's R2DBC connection, as JDBC sees it, for Flyway: the JDBC URL
 * matching the R2DBC options for H2 and PostgreSQL (an R2DBC {@code schema} option becomes
 * {@code currentSchema}, {@code sslMode} becomes {@code sslmode}), and the R2DBC user and password
 * unless {@code spring.flyway.user} and {@code spring.flyway.password} name others. Being
 * {@link JdbcConnectionDetails} too is what lets Boot's Flyway auto-configuration, which needs a JDBC
 * connection, run for an application that has only R2DBC.
 */
final class JdbcFromR2dbc implements JdbcConnectionDetails, FlywayConnectionDetails {

	private final String jdbcUrl;

	private final @Nullable String username;

	private final @Nullable String password;

	/**
	 * @param options the R2DBC connection
	 * @param username Flyway's own user, if configured
	 * @param password Flyway's own password, if configured
	 * @throws IllegalStateException for a database Fanout does not support
	 */
	JdbcFromR2dbc(ConnectionFactoryOptions options, @Nullable String username, @Nullable String password) {
		String url = jdbcUrl(options);
		if (url == null) {
			throw new IllegalStateException("Fanout's job store supports PostgreSQL and H2, not the R2DBC driver '"
					+ options.getValue(ConnectionFactoryOptions.DRIVER) + "'");
		}
		this.jdbcUrl = url;
		this.username = (username != null) ? username : text(options.getValue(ConnectionFactoryOptions.USER));
		this.password = (password != null) ? password : text(options.getValue(ConnectionFactoryOptions.PASSWORD));
	}

	@Override
	public String getJdbcUrl() {
		return this.jdbcUrl;
	}

	@Override
	public @Nullable String getUsername() {
		return this.username;
	}

	@Override
	public @Nullable String getPassword() {
		return this.password;
	}

	@Override
	public String getDriverClassName() {
		String driver = DatabaseDriver.fromJdbcUrl(this.jdbcUrl).getDriverClassName();
		if (driver == null) {
			throw new IllegalStateException("no JDBC driver is known for " + this.jdbcUrl);
		}
		return driver;
	}

	/** The JDBC URL of the database these R2DBC options point to, for H2 and PostgreSQL; null for others. */
	static @Nullable String jdbcUrl(ConnectionFactoryOptions options) {
		String driver = text(options.getValue(ConnectionFactoryOptions.DRIVER));
		String protocol = text(options.getValue(ConnectionFactoryOptions.PROTOCOL));
		if ("pool".equals(driver) && protocol != null) {
			// r2dbc:pool:postgresql://... names the real driver as the protocol.
			driver = protocol;
			protocol = null;
		}
		if ("postgresql".equals(driver) || "postgres".equals(driver)) {
			return postgresUrl(options);
		}
		if ("h2".equals(driver) && ("file".equals(protocol) || "mem".equals(protocol))) {
			Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
			Object extra = options.getValue(Option.valueOf("options"));
			return "jdbc:h2:" + protocol + ":" + database + ((extra != null) ? ";" + extra : "");
		}
		return null;
	}

	private static String postgresUrl(ConnectionFactoryOptions options) {
		Object host = options.getValue(ConnectionFactoryOptions.HOST);
		Object port = options.getValue(ConnectionFactoryOptions.PORT);
		Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
		Map<String, String> query = new LinkedHashMap<>();
		Object schema = options.getValue(Option.valueOf("schema"));
		if (schema != null) {
			query.put("currentSchema", schema.toString());
		}
		Object sslMode = options.getValue(Option.valueOf("sslMode"));
		if (sslMode != null) {
			query.put("sslmode", sslMode.toString().toLowerCase(Locale.ROOT).replace('_', '-'));
		}
		StringBuilder url = new StringBuilder("jdbc:postgresql://").append((host != null) ? host : "localhost");
		if (port != null) {
			url.append(':').append(port);
		}
		url.append('/').append((database != null) ? database : "");
		String separator = "?";
		for (Map.Entry<String, String> entry : query.entrySet()) {
			url.append(separator).append(entry.getKey()).append('=').append(entry.getValue());
			separator = "&";
		}
		return url.toString();
	}

	private static @Nullable String text(@Nullable Object value) {
		return (value != null) ? value.toString() : null;
	}

}
