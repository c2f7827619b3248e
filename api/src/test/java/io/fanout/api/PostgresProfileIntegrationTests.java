package io.fanout.api;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import io.fanout.test.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code postgres} profile runs Fanout on PostgreSQL, its URL overridden by the standard
 * {@code spring.r2dbc.*} properties and Flyway following them: here the local PostgreSQL
 * (127.0.0.1:5432, database {@code test}) in a schema of its own, dropped afterwards. Skipped when
 * PostgreSQL is not reachable, unless {@code FANOUT_REQUIRE_POSTGRES=true} (as in CI).
 */
@ActiveProfiles("postgres")
@DirtiesContext
class PostgresProfileIntegrationTests extends FanoutIntegrationTest {

	private static final String DROP_SCHEMA = "dropTestSchema";

	private static final String JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/test";

	private static final String SCHEMA = "fanout_api_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	@Autowired
	private ConfigurableApplicationContext context;

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		registry.add("spring.r2dbc.url", () -> "r2dbc:postgresql://127.0.0.1:5432/test?schema=" + SCHEMA);
		registry.add("spring.r2dbc.username", () -> "postgres");
		registry.add("spring.r2dbc.password", () -> "");
	}

	@BeforeAll
	static void createSchema() throws SQLException {
		TestDatabase.assumePostgres();
		execute("CREATE SCHEMA " + SCHEMA);
	}

	/**
	 * Drops the schema when the application closes ({@code @DirtiesContext}), after its worker has
	 * stopped: registered last, this is destroyed first, before the connection pool.
	 */
	@BeforeEach
	void dropSchemaOnClose() {
		DefaultListableBeanFactory beans = (DefaultListableBeanFactory) this.context.getBeanFactory();
		if (!beans.containsSingleton(DROP_SCHEMA)) {
			beans.registerSingleton(DROP_SCHEMA, new Object());
			beans.registerDisposableBean(DROP_SCHEMA, () -> execute("DROP SCHEMA " + SCHEMA + " CASCADE"));
		}
	}

	@Test
	void jobsRunAgainstPostgreSQLInTheConfiguredSchema() throws SQLException {
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/postgres"))
				+ "}, {\"url\": " + quoted(upstream.url("/ok/postgres")) + "}]}");

		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		try (Connection connection = DriverManager.getConnection(JDBC_URL, "postgres", "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement
					.executeQuery("SELECT status FROM " + SCHEMA + ".jobs WHERE id = '" + job.get("id") + "'")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString(1)).isEqualTo("COMPLETED");
		}
		this.client.get().uri("/readyz").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.components.r2dbc.status").isEqualTo("UP");
	}

	private static void execute(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(JDBC_URL, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
