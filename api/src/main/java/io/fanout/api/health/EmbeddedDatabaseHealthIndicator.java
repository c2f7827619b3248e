package io.fanout.api.health;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * Part of liveness ({@code embeddedDatabase}): DOWN when the embedded H2 database has closed itself,
 * as H2 does after a fatal error in its own threads (an {@code OutOfMemoryError} while writing a
 * page, a failed write): from then on every statement fails with "The database has been closed"
 * until the process restarts, so restarting it is the cure. Any other failure of the probe (a busy
 * pool, a slow disk, a timeout) leaves it UP: that is readiness's concern, and restarting would not
 * help. With PostgreSQL there is nothing of the kind to watch, and it is always UP.
 */
public final class EmbeddedDatabaseHealthIndicator implements ReactiveHealthIndicator {

	/** H2's error codes for a database that is closed: DATABASE_IS_CLOSED, DATABASE_CALLED_AT_SHUTDOWN. */
	static final Set<Integer> CLOSED = Set.of(90098, 90121);

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final @Nullable Supplier<Mono<?>> probe;

	private EmbeddedDatabaseHealthIndicator(@Nullable Supplier<Mono<?>> probe) {
		this.probe = probe;
	}

	/** Watches the embedded database through {@code probe}, a statement that runs on it. */
	public static EmbeddedDatabaseHealthIndicator embedded(Supplier<Mono<?>> probe) {
		return new EmbeddedDatabaseHealthIndicator(probe);
	}

	/** No embedded database to watch. */
	public static EmbeddedDatabaseHealthIndicator none() {
		return new EmbeddedDatabaseHealthIndicator(null);
	}

	@Override
	public Mono<Health> health() {
		Supplier<Mono<?>> probe = this.probe;
		if (probe == null) {
			return Mono.just(Health.up().withDetail("embedded", false).build());
		}
		return Mono.defer(probe::get)
			.timeout(TIMEOUT)
			.then(Mono.just(Health.up().build()))
			.onErrorResume((error) -> Mono.just(closed(error)
					? Health.down().withDetail("error", "The embedded database has closed itself").build()
					: Health.up().withDetail("probe", "failed, not a closed database").build()));
	}

	/** Whether {@code error} (or a cause of it) says that H2 has closed the database. */
	static boolean closed(Throwable error) {
		for (Throwable cause = error; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof R2dbcException r2dbc && CLOSED.contains(r2dbc.getErrorCode())) {
				return true;
			}
			if (cause instanceof SQLException sql && CLOSED.contains(sql.getErrorCode())) {
				return true;
			}
			String message = cause.getMessage();
			if (message != null && (message.contains("[90098-") || message.contains("[90121-"))) {
				return true;
			}
		}
		return false;
	}

}
