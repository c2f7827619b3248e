package io.fanout.scheduler.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the scheduler's database is: embedded H2 under the data directory, and Flyway's JDBC
 * connection derived from the R2DBC one, always losing to explicit settings.
 */
class SchedulerDatabaseAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SchedulerDatabaseAutoConfiguration.class, R2dbcAutoConfiguration.class));

	@Test
	void withoutADatabaseTheEmbeddedOneLivesInTheDataDirectory() throws IOException {
		Path data = Path.of("./data").toAbsolutePath().normalize();
		boolean existed = Files.exists(data);
		String dir = data.resolve("fanout").toString();
		try {
			this.runner.run((context) -> {
				ConnectionFactoryOptions options = context.getBean(R2dbcConnectionDetails.class).getConnectionFactoryOptions();
				assertThat(options).isEqualTo(ConnectionFactoryOptions
					.parse("r2dbc:h2:file:///" + dir + "?options=DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0")
					.mutate()
					.option(ConnectionFactoryOptions.USER, "sa")
					.option(ConnectionFactoryOptions.PASSWORD, "")
					.build());
				FlywayConnectionDetails flyway = context.getBean(FlywayConnectionDetails.class);
				assertThat(flyway.getJdbcUrl()).isEqualTo("jdbc:h2:file:" + dir + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
				assertThat(flyway.getUsername()).isEqualTo("sa");
				assertThat(flyway.getPassword()).isEmpty();
				assertThat(context.getBean(JdbcConnectionDetails.class)).isSameAs(flyway);
			});
		}
		finally {
			// The data directory is prepared (made and made private) when the connection details are.
			if (!existed) {
				FileSystemUtils.deleteRecursively(data);
			}
		}
	}

	@Test
	void dataDirectoryIsConfigurable(@TempDir Path temporary) {
		String dir = temporary.resolve("lib/fanout").toString();
		this.runner.withPropertyValues("fanout.data-dir=" + dir).run((context) -> {
			assertThat(context.getBean(R2dbcConnectionDetails.class).getConnectionFactoryOptions()
				.getValue(ConnectionFactoryOptions.DATABASE)).isEqualTo(dir + "/fanout");
			assertThat(context.getBean(FlywayConnectionDetails.class).getJdbcUrl())
				.isEqualTo("jdbc:h2:file:" + dir + "/fanout;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
			assertThat(Path.of(dir)).isDirectory();
		});
	}

	@Test
	void flywayFollowsAConfiguredPostgresql() {
		this.runner.withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://db.internal:5433/fanout?schema=jobs",
				"spring.r2dbc.username=fanout", "spring.r2dbc.password=s3cret")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(EmbeddedR2dbcConnectionDetails.class);
				FlywayConnectionDetails flyway = context.getBean(FlywayConnectionDetails.class);
				assertThat(flyway.getJdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/fanout?currentSchema=jobs");
				assertThat(flyway.getUsername()).isEqualTo("fanout");
				assertThat(flyway.getPassword()).isEqualTo("s3cret");
				assertThat(flyway.getDriverClassName()).isEqualTo("org.postgresql.Driver");
			});
	}

	@Test
	void credentialsInThePooledUrlAreUsedToo() {
		this.runner.withPropertyValues("spring.r2dbc.url=r2dbc:pool:postgresql://app:pw@127.0.0.1/test")
			.run((context) -> {
				FlywayConnectionDetails flyway = context.getBean(FlywayConnectionDetails.class);
				assertThat(flyway.getJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/test");
				assertThat(flyway.getUsername()).isEqualTo("app");
				assertThat(flyway.getPassword()).isEqualTo("pw");
			});
	}

	@Test
	void flywaysOwnSettingsWin() {
		this.runner.withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://app@127.0.0.1/test",
				"spring.flyway.url=jdbc:postgresql://127.0.0.1/admin", "spring.flyway.user=owner")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcFromR2dbc.class));
		this.runner.withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://app:pw@127.0.0.1/test",
				"spring.flyway.user=owner", "spring.flyway.password=other")
			.run((context) -> {
				FlywayConnectionDetails flyway = context.getBean(FlywayConnectionDetails.class);
				assertThat(flyway.getJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/test");
				assertThat(flyway.getUsername()).isEqualTo("owner");
				assertThat(flyway.getPassword()).isEqualTo("other");
			});
	}

	@Test
	void anUnsupportedDatabaseFailsTheStartupNamingTheSupportedOnes() {
		this.runner.withPropertyValues("spring.r2dbc.url=r2dbc:mariadb://127.0.0.1/test")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("supports PostgreSQL and H2"));
	}

}
