package io.fanout.api;


import io.fanout.api.support.FanoutIntegrationTest;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.autoconfigure.FetchProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's per-host limits: a host's concurrency limit admits a job of the highest
 * concurrency against one host, and its circuit breaker has the application's
 * {@code resilience4j.circuitbreaker.configs.default}.
 */
class ResilienceConfigurationIntegrationTests extends FanoutIntegrationTest {

	@Autowired
	private FetchProperties fetch;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Test
	void aHostsConcurrencyLimitAdmitsAJobOfTheHighestConcurrency() {
		assertThat(this.fetch.maxConcurrency("upstream.example")).isGreaterThanOrEqualTo(FetchPolicy.MAX_CONCURRENCY);
	}

	@Test
	void aHostsCircuitBreakerUsesTheDefaults() {
		CircuitBreakerConfig config = this.circuitBreakers.circuitBreaker("upstream.example").getCircuitBreakerConfig();

		assertThat(config.getSlidingWindowSize()).isEqualTo(100);
		assertThat(config.getMinimumNumberOfCalls()).isEqualTo(20);
		assertThat(config.getFailureRateThreshold()).isEqualTo(50f);
		// A long wait for room (host, memory budget) within a request's timeout is not a slow call.
		assertThat(config.getSlowCallDurationThreshold()).isGreaterThan(this.fetch.maxTimeout());
	}

}
