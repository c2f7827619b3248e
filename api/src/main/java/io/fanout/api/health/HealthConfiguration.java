package io.fanout.api.health;

import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.Dialect;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code embeddedDatabase} health contributor, which the {@code liveness} group includes: it
 * always exists, and watches the database only when it is the embedded H2.
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

	@Bean
	EmbeddedDatabaseHealthIndicator embeddedDatabaseHealthIndicator(Database database) {
		if (database.dialect() != Dialect.H2) {
			return EmbeddedDatabaseHealthIndicator.none();
		}
		return EmbeddedDatabaseHealthIndicator
			.embedded(() -> database.run(database.client().sql("SELECT 1").fetch().first()));
	}

}
