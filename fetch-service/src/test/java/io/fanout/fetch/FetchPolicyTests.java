package io.fanout.fetch;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A submission's settings over a default policy: merged in one place, every invalid one named. */
class FetchPolicyTests {

	private static final PolicyLimits LIMITS = new PolicyLimits(10 * 1024 * 1024);

	@Test
	void whatASubmissionLeavesOutComesFromTheDefaults() {
		assertThat(FetchPolicy.DEFAULT.apply(PolicyOverrides.NONE, LIMITS)).isEqualTo(FetchPolicy.DEFAULT);
		FetchPolicy merged = FetchPolicy.DEFAULT.apply(new PolicyOverrides(3, Duration.ofSeconds(2),
				new PolicyOverrides.Retry(5, null, null), true, true, 2048L, null, null, null), LIMITS);
		assertThat(merged.concurrency()).isEqualTo(3);
		assertThat(merged.timeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(merged.retry().maxAttempts()).isEqualTo(5);
		assertThat(merged.retry().initialBackoff()).isEqualTo(FetchPolicy.DEFAULT.retry().initialBackoff());
		assertThat(merged.retry().retryOn()).isEqualTo(FetchPolicy.DEFAULT.retry().retryOn());
		assertThat(merged.failFast()).isTrue();
		assertThat(merged.followRedirects()).isTrue();
		assertThat(merged.maxBodySize()).isEqualTo(2048);
		assertThat(merged.maxRedirects()).isEqualTo(FetchPolicy.DEFAULT.maxRedirects());
	}

	@Test
	void aRaisedInitialBackoffTakesTheCapAlongUnlessTheCapIsGiven() {
		FetchPolicy raised = FetchPolicy.DEFAULT
			.apply(overridesWithRetry(new PolicyOverrides.Retry(null, Duration.ofSeconds(30), null)), LIMITS);
		assertThat(raised.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(30));
		InvalidFetchRequestException both = catchThrowableOfType(InvalidFetchRequestException.class,
				() -> FetchPolicy.DEFAULT.apply(
						overridesWithRetry(new PolicyOverrides.Retry(null, Duration.ofSeconds(30), Duration.ofSeconds(1))),
						LIMITS));
		assertThat(both.violations()).extracting(Violation::field).containsExactly("retry.maxBackoff");
	}

	@Test
	void everyInvalidSettingIsNamedInOneRefusal() {
		InvalidFetchRequestException refused = catchThrowableOfType(InvalidFetchRequestException.class,
				() -> FetchPolicy.DEFAULT.apply(new PolicyOverrides(0, Duration.ZERO,
						new PolicyOverrides.Retry(11, Duration.ofSeconds(-1), null), null, null, 99_999_999_999L, null, null, null), LIMITS));
		assertThat(refused.violations()).extracting(Violation::field)
			.containsExactly("retry.maxAttempts", "retry.initialBackoff", "maxBodySize", "concurrency", "timeout");
		assertThat(refused.violations().get(2).message()).isEqualTo("maxBodySize must be between 0 and 10485760 bytes");
		assertThat(refused.field()).isEqualTo("retry.maxAttempts");
	}

	@Test
	void timeoutsBackoffsRatesAndFlowKeysAreBoundedAndNamedByTheirPaths() {
		PolicyOverrides overrides = new PolicyOverrides(null, Duration.ofHours(1),
				new PolicyOverrides.Retry(null, null, Duration.ofHours(1)), null, null, null, null,
				new PolicyOverrides.RateLimit(0, Duration.ofSeconds(1)),
				new PolicyOverrides.Flow("no spaces allowed", new PolicyOverrides.RateLimit(5, null), null));
		InvalidFetchRequestException refused = catchThrowableOfType(InvalidFetchRequestException.class,
				() -> FetchPolicy.DEFAULT.apply(overrides, LIMITS));
		assertThat(refused.violations()).extracting(Violation::field)
			.containsExactly("retry.maxBackoff", "timeout", "rateLimit.permits", "flowControl.rate");
		assertThat(refused.violations().get(0).message()).isEqualTo("maxBackoff must be at most PT5M");

		FetchPolicy paced = FetchPolicy.DEFAULT.apply(new PolicyOverrides(null, null, null, null, null, null, null,
				new PolicyOverrides.RateLimit(10, Duration.ofSeconds(1)),
				new PolicyOverrides.Flow("partner-api", null, 4)), LIMITS);
		assertThat(paced.rateLimit()).isEqualTo(Rate.perSecond(10));
		assertThat(paced.rateLimit().intervalNanos()).isEqualTo(100_000_000L);
		assertThat(paced.flowControl()).isEqualTo(new FlowControl("partner-api", null, 4));
	}

	private static PolicyOverrides overridesWithRetry(PolicyOverrides.Retry retry) {
		return new PolicyOverrides(null, null, retry, null, null, null, null, null, null);
	}

}
