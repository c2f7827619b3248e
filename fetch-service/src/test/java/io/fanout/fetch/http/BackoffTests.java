package io.fanout.fetch.http;

import java.time.Duration;
import java.time.Instant;

import io.fanout.fetch.RetryPolicy;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTests {

	private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

	private final RetryPolicy policy = RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(1));

	@RepeatedTest(20)
	void growsExponentiallyWithJitterWithinTheCap() {
		assertThat(Backoff.delay(this.policy, 0, null, NOW)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
		assertThat(Backoff.delay(this.policy, 1, null, NOW)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
		assertThat(Backoff.delay(this.policy, 2, null, NOW)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
		assertThat(Backoff.delay(this.policy, 40, null, NOW)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
	}

	@Test
	void honoursRetryAfterInSecondsAndAsADateUpToTheCap() {
		assertThat(Backoff.delay(this.policy, 0, "0", NOW)).isZero();
		assertThat(Backoff.delay(this.policy, 0, "1", NOW)).isEqualTo(Duration.ofSeconds(1));
		assertThat(Backoff.delay(this.policy, 0, "3600", NOW)).isEqualTo(Duration.ofSeconds(1));
		assertThat(Backoff.parseRetryAfter("Sat, 21 Nov 2026 10:00:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
		assertThat(Backoff.parseRetryAfter("Sat, 21 Nov 2026 09:00:00 GMT", NOW)).isZero();
		assertThat(Backoff.parseRetryAfter("soon", NOW)).isNull();
		assertThat(Backoff.parseRetryAfter("-5", NOW)).isNull();
	}

}
