package io.fanout.api;

import java.time.Duration;

import io.fanout.api.support.FanoutIntegrationTest;
import io.fanout.fetch.FetchPolicy;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-host bulkheads and circuit breakers that fetch-service takes from the registries get the
 * application's {@code resilience4j.*.configs.default}: a bulkhead admits a job of the highest
 * concurrency against one host, and never waits.
 */
class ResilienceConfigurationIntegrationTests extends FanoutIntegrationTest {

	@Autowired
	private BulkheadRegistry bulkheads;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Test
	void aHostsBulkheadAdmitsAJobOfTheHighestConcurrency() {
		BulkheadConfig config = this.bulkheads.bulkhead("upstream.example").getBulkheadConfig();

		assertThat(config.getMaxConcurrentCalls()).isGreaterThanOrEqualTo(FetchPolicy.MAX_CONCURRENCY);
		assertThat(config.getMaxWaitDuration()).isEqualTo(Duration.ZERO);
	}

	@Test
	void aHostsCircuitBreakerUsesTheDefaults() {
		CircuitBreakerConfig config = this.circuitBreakers.circuitBreaker("upstream.example").getCircuitBreakerConfig();

		assertThat(config.getSlidingWindowSize()).isEqualTo(100);
		assertThat(config.getMinimumNumberOfCalls()).isEqualTo(20);
		assertThat(config.getFailureRateThreshold()).isEqualTo(50f);
	}

}
