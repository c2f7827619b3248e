package io.fanout.scheduler.autoconfigure;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database defaults: embedded H2 under the data directory, and Flyway's JDBC URL derived from
 * the R2DBC one, always losing to explicit settings.
 */
class SchedulerDatabaseEnvironmentPostProcessorTests {

	@Test
	void withoutADatabaseTheEmbeddedOneLivesInTheDataDirectory() {
		StandardEnvironment environment = environment(Map.of());
		String dir = Path.of("./data").toAbsolutePath().normalize().resolve("fanout").toString();
		assertThat(environment.getProperty("spring.r2dbc.url"))
			.isEqualTo("r2dbc:h2:file:///" + dir + "?options=DB_CLOSE_ON_EXIT=FALSE");
		assertThat(environment.getProperty("spring.r2dbc.username")).isEqualTo("sa");
		assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:h2:file:" + dir + ";DB_CLOSE_ON_EXIT=FALSE");
		assertThat(environment.getProperty("spring.flyway.user")).isEqualTo("sa");
		assertThat(environment.getProperty("spring.flyway.password")).isEmpty();
	}

	@Test
	void dataDirectoryIsConfigurable() {
		StandardEnvironment environment = environment(Map.of("fanout.data-dir", "/var/lib/fanout"));
		assertThat(environment.getProperty("spring.r2dbc.url"))
			.isEqualTo("r2dbc:h2:file:////var/lib/fanout/fanout?options=DB_CLOSE_ON_EXIT=FALSE");
		assertThat(environment.getProperty("spring.flyway.url"))
			.isEqualTo("jdbc:h2:file:/var/lib/fanout/fanout;DB_CLOSE_ON_EXIT=FALSE");
	}

	@Test
	void flywayFollowsAConfiguredPostgresql() {
		StandardEnvironment environment = environment(Map.of("spring.r2dbc.url",
				"r2dbc:postgresql://db.internal:5433/fanout?schema=jobs", "spring.r2dbc.username", "fanout",
				"spring.r2dbc.password", "${DB_PASSWORD:s3cret}"));
		assertThat(environment.getProperty("spring.r2dbc.url")).isEqualTo("r2dbc:postgresql://db.internal:5433/fanout?schema=jobs");
		assertThat(environment.getProperty("spring.r2dbc.username")).isEqualTo("fanout");
		assertThat(environment.getProperty("spring.flyway.url"))
			.isEqualTo("jdbc:postgresql://db.internal:5433/fanout?currentSchema=jobs");
		assertThat(environment.getProperty("spring.flyway.user")).isEqualTo("fanout");
		assertThat(environment.getProperty("spring.flyway.password")).isEqualTo("s3cret");
		// Bound the way Spring Boot binds its properties, too.
		assertThat(Binder.get(environment).bind("spring.flyway.url", Bindable.of(String.class)).get())
			.isEqualTo("jdbc:postgresql://db.internal:5433/fanout?currentSchema=jobs");
	}

	@Test
	void credentialsInThePooledUrlAreUsedForFlyway() {
		StandardEnvironment environment = environment(
				Map.of("spring.r2dbc.url", "r2dbc:pool:postgresql://app:pw@127.0.0.1/test"));
		assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://127.0.0.1/test");
		assertThat(environment.getProperty("spring.flyway.user")).isEqualTo("app");
		assertThat(environment.getProperty("spring.flyway.password")).isEqualTo("pw");
	}

	@Test
	void explicitFlywaySettingsWin() {
		StandardEnvironment environment = environment(Map.of("spring.r2dbc.url", "r2dbc:postgresql://127.0.0.1/test",
				"spring.flyway.url", "jdbc:postgresql://127.0.0.1/admin", "spring.flyway.user", "owner"));
		assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://127.0.0.1/admin");
		assertThat(environment.getProperty("spring.flyway.user")).isEqualTo("owner");
		assertThat(environment.getProperty("spring.flyway.password")).isNull();
	}

	@Test
	void otherDatabasesGetNoFlywayDefaults() {
		StandardEnvironment environment = environment(Map.of("spring.r2dbc.url", "r2dbc:mariadb://127.0.0.1/test"));
		assertThat(environment.containsProperty("spring.flyway.url")).isFalse();
		assertThat(environment.getProperty("spring.r2dbc.username")).isNull();
	}

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		ConfigurationPropertySources.attach(environment);
		new SchedulerDatabaseEnvironmentPostProcessor().postProcessEnvironment(environment, null);
		return environment;
	}

}
