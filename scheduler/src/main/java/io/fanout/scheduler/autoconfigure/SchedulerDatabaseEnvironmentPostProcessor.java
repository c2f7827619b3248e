package io.fanout.scheduler.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Gives the scheduler a database when none is configured, and Flyway the JDBC form of the R2DBC one:
 * <ul>
 * <li>without {@code spring.r2dbc.url}: an embedded H2 database in the file {@code fanout.mv.db}
 * under {@code fanout.data-dir} (default {@code ./data}), created on first start;</li>
 * <li>without {@code spring.flyway.url}: the JDBC URL matching {@code spring.r2dbc.url} for H2 and
 * PostgreSQL (an R2DBC {@code schema} option becomes {@code currentSchema}), with the R2DBC user and
 * password.</li>
 * </ul>
 * The defaults are a property source of lowest precedence, computed when read, so that any setting
 * from anywhere (files, environment variables, test properties) wins.
 */
public final class SchedulerDatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source holding the defaults. */
	public static final String PROPERTY_SOURCE_NAME = "fanoutSchedulerDatabaseDefaults";

	/** The data directory property. */
	public static final String DATA_DIR = "fanout.data-dir";

	/** Where the data directory is when not configured. */
	public static final String DEFAULT_DATA_DIR = "./data";

	/** File name (without H2's {@code .mv.db}) of the embedded database in the data directory. */
	public static final String DATABASE_NAME = "fanout";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, @Nullable SpringApplication application) {
		if (!environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			environment.getPropertySources().addLast(new DatabaseDefaults(environment));
		}
	}

	@Override
	public int getOrder() {
		// After the config data (application.yml and friends) is loaded.
		return Ordered.LOWEST_PRECEDENCE;
	}

	/** The H2 file database under a data directory, as an R2DBC URL. */
	static String embeddedR2dbcUrl(String dataDir) {
		return "r2dbc:h2:file:///" + databasePath(dataDir) + "?options=DB_CLOSE_ON_EXIT=FALSE";
	}

	private static String databasePath(String dataDir) {
		// An R2DBC URL's path loses its first '/': "file:///" + "/var/x" is the absolute /var/x.
		return Path.of(dataDir).toAbsolutePath().normalize().resolve(DATABASE_NAME).toString().replace('\\', '/');
	}

	/**
	 * The JDBC URL of the database an R2DBC URL points to, for H2 and PostgreSQL; null for others.
	 */
	static @Nullable String jdbcUrl(String r2dbcUrl) {
		ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(r2dbcUrl);
		String driver = (String) options.getValue(ConnectionFactoryOptions.DRIVER);
		String protocol = (String) options.getValue(ConnectionFactoryOptions.PROTOCOL);
		if ("pool".equals(driver) && protocol != null) {
			// r2dbc:pool:postgresql://... names the real driver as the protocol.
			driver = protocol;
			protocol = null;
		}
		if ("postgresql".equals(driver) || "postgres".equals(driver)) {
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
		if ("h2".equals(driver) && ("file".equals(protocol) || "mem".equals(protocol))) {
			Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
			Object extra = options.getValue(Option.valueOf("options"));
			return "jdbc:h2:" + protocol + ":" + database + ((extra != null) ? ";" + extra : "");
		}
		return null;
	}

	/** The defaults, computed from the rest of the environment whenever they are read. */
	static final class DatabaseDefaults extends EnumerablePropertySource<DatabaseDefaults.EnvironmentHolder> {

		private static final String R2DBC_URL = "spring.r2dbc.url";

		private static final String R2DBC_USERNAME = "spring.r2dbc.username";

		private static final String R2DBC_PASSWORD = "spring.r2dbc.password";

		private static final String FLYWAY_URL = "spring.flyway.url";

		private static final String FLYWAY_USER = "spring.flyway.user";

		private static final String FLYWAY_PASSWORD = "spring.flyway.password";

		private static final List<String> NAMES = List.of(R2DBC_URL, R2DBC_USERNAME, R2DBC_PASSWORD, FLYWAY_URL,
				FLYWAY_USER, FLYWAY_PASSWORD);

		// Reading other sources may come back here (through placeholders); the inner read sees nothing.
		private static final ThreadLocal<Boolean> reading = ThreadLocal.withInitial(() -> false);

		DatabaseDefaults(ConfigurableEnvironment environment) {
			super(PROPERTY_SOURCE_NAME, new EnvironmentHolder(environment));
		}

		/**
		 * Wraps the environment: a property source whose source is an environment is taken by
		 * Spring Boot for a nest of property sources, and this one is nested in that environment.
		 */
		record EnvironmentHolder(ConfigurableEnvironment environment) {
		}

		@Override
		public String[] getPropertyNames() {
			return NAMES.stream().filter((name) -> getProperty(name) != null).toArray(String[]::new);
		}

		@Override
		public boolean containsProperty(String name) {
			return getProperty(name) != null;
		}

		@Override
		public @Nullable Object getProperty(String name) {
			if (!NAMES.contains(name) || reading.get()) {
				return null;
			}
			reading.set(true);
			try {
				return compute(name);
			}
			finally {
				reading.set(false);
			}
		}

		private @Nullable String compute(String name) {
			boolean embedded = explicit(R2DBC_URL) == null;
			switch (name) {
				case R2DBC_URL:
					return embedded ? embeddedR2dbcUrl(dataDir()) : null;
				case R2DBC_USERNAME:
					return embedded ? "sa" : null;
				case R2DBC_PASSWORD:
					return embedded ? "" : null;
				default:
					break;
			}
			if (explicit(FLYWAY_URL) != null) {
				return null;
			}
			String r2dbcUrl = embedded ? embeddedR2dbcUrl(dataDir()) : explicit(R2DBC_URL);
			String jdbcUrl = (r2dbcUrl != null) ? jdbcUrl(r2dbcUrl) : null;
			if (jdbcUrl == null) {
				return null;
			}
			return switch (name) {
				case FLYWAY_URL -> jdbcUrl;
				case FLYWAY_USER -> embedded ? "sa" : userOf(r2dbcUrl);
				case FLYWAY_PASSWORD -> embedded ? "" : passwordOf(r2dbcUrl);
				default -> null;
			};
		}

		private String dataDir() {
			String dataDir = explicit(DATA_DIR);
			return (dataDir != null && !dataDir.isBlank()) ? dataDir : DEFAULT_DATA_DIR;
		}

		private @Nullable String userOf(String r2dbcUrl) {
			String user = explicit(R2DBC_USERNAME);
			if (user != null) {
				return user;
			}
			Object fromUrl = ConnectionFactoryOptions.parse(r2dbcUrl).getValue(ConnectionFactoryOptions.USER);
			return (fromUrl != null) ? fromUrl.toString() : null;
		}

		private @Nullable String passwordOf(String r2dbcUrl) {
			String password = explicit(R2DBC_PASSWORD);
			if (password != null) {
				return password;
			}
			Object fromUrl = ConnectionFactoryOptions.parse(r2dbcUrl).getValue(ConnectionFactoryOptions.PASSWORD);
			return (fromUrl != null) ? fromUrl.toString() : null;
		}

		/** The value set by any other property source, placeholders resolved. */
		private @Nullable String explicit(String name) {
			for (PropertySource<?> source : getSource().environment().getPropertySources()) {
				if (source == this || ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
					continue;
				}
				Object value = source.getProperty(name);
				if (value != null) {
					return getSource().environment().resolvePlaceholders(value.toString());
				}
			}
			return null;
		}

	}

}
