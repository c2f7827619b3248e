package io.fanout.api.health;

import java.time.Duration;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Liveness goes DOWN when the embedded database has closed itself, and only then. The closed database
 * is simulated as r2dbc-h2 reports it: H2's error code (DATABASE_IS_CLOSED 90098,
 * DATABASE_CALLED_AT_SHUTDOWN 90121) on an {@code R2dbcException}, under Spring's translation.
 */
class EmbeddedDatabaseHealthIndicatorTests {

	@Test
	void upWhileTheDatabaseAnswers() {
		assertStatus(EmbeddedDatabaseHealthIndicator.embedded(() -> Mono.just(1)), Status.UP);
	}

	@Test
	void downWhenH2SaysTheDatabaseIsClosed() {
		// As r2dbc-h2 reports H2's DATABASE_IS_CLOSED, wrapped by Spring's DatabaseClient.
		R2dbcNonTransientResourceException closed = new R2dbcNonTransientResourceException(
				"The database has been closed [90098-240]", "90098", 90098);
		assertStatus(EmbeddedDatabaseHealthIndicator
			.embedded(() -> Mono.error(new DataAccessResourceFailureException("SELECT 1", closed))), Status.DOWN);
	}

	@Test
	void otherFailuresAreNotLivenessConcerns() {
		assertStatus(EmbeddedDatabaseHealthIndicator
			.embedded(() -> Mono.error(new R2dbcTransientResourceException("Connection pool exhausted"))), Status.UP);
		assertStatus(EmbeddedDatabaseHealthIndicator.none(), Status.UP);
	}

	@Test
	void downWhenTheClosedDatabaseShowsOnlyInTheMessage() {
		assertStatus(EmbeddedDatabaseHealthIndicator.embedded(() -> Mono.error(new IllegalStateException(
				"Database is already closed [90121-240]"))), Status.DOWN);
	}

	private static void assertStatus(EmbeddedDatabaseHealthIndicator indicator, Status status) {
		StepVerifier.create(indicator.health())
			.assertNext((health) -> assertThat(health).extracting(Health::getStatus).isEqualTo(status))
			.expectComplete()
			.verify(Duration.ofSeconds(30));
	}

}
