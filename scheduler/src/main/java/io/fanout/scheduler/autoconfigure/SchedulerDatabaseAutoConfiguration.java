package io.fanout.scheduler.autoconfigure;

import java.nio.file.Path;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.flyway.autoconfigure.FlywayProperties;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Where the scheduler's database is, as Spring Boot's connection details: without
 * {@code spring.r2dbc.url}, the embedded H2 database in a file under {@code fanout.data-dir}
 * (default {@code ./data}); and, without {@code spring.flyway.url}, the application's R2DBC database
 * over JDBC for Flyway's migrations. Settings configured anywhere (files, environment variables,
 * test properties) win over both.
 */
@AutoConfiguration(before = { R2dbcAutoConfiguration.class, FlywayAutoConfiguration.class })
@EnableConfigurationProperties(FlywayProperties.class)
public final class SchedulerDatabaseAutoConfiguration {

	/** The data directory property. */
	static final String DATA_DIR = "fanout.data-dir";

	/** Where the data directory is when not configured. */
	static final String DEFAULT_DATA_DIR = "./data";

	@Bean
	@ConditionalOnMissingBean(R2dbcConnectionDetails.class)
	@Conditional(NoR2dbcUrl.class)
	EmbeddedR2dbcConnectionDetails fanoutEmbeddedDatabase(Environment environment) {
		String dataDir = environment.getProperty(DATA_DIR);
		return new EmbeddedR2dbcConnectionDetails(
				Path.of((dataDir != null && !dataDir.isBlank()) ? dataDir : DEFAULT_DATA_DIR));
	}

	@Bean
	@ConditionalOnMissingBean(FlywayConnectionDetails.class)
	@Conditional(NoFlywayUrl.class)
	JdbcFromR2dbc fanoutFlywayDatabase(R2dbcConnectionDetails r2dbc, FlywayProperties flyway) {
		return new JdbcFromR2dbc(r2dbc.getConnectionFactoryOptions(), flyway.getUser(), flyway.getPassword());
	}

	/** Matches when a property is not set at all. */
	private abstract static class PropertyAbsent extends SpringBootCondition {

		private final String name;

		PropertyAbsent(String name) {
			this.name = name;
		}

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return context.getEnvironment().containsProperty(this.name)
					? ConditionOutcome.noMatch(this.name + " is set") : ConditionOutcome.match(this.name + " is not set");
		}

	}

	static final class NoR2dbcUrl extends PropertyAbsent {

		NoR2dbcUrl() {
			super("spring.r2dbc.url");
		}

	}

	static final class NoFlywayUrl extends PropertyAbsent {

		NoFlywayUrl() {
			super("spring.flyway.url");
		}

	}

}
