package io.fanout.fetch.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.HostLookup;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Provides a {@link FetchClient} configured from {@code fanout.fetch.*}, with per-host bulkheads
 * and circuit breakers from the Resilience4j registries when the application has them (configured
 * through {@code resilience4j.*}), else from registries of its own.
 */
@AutoConfiguration(afterName = {
		"io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration",
		"io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@EnableConfigurationProperties(FetchProperties.class)
public final class FetchAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AddressRule fetchAddressRule(FetchProperties properties) {
		return AddressRule.allowing(properties.allowedNetworks());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean(FetchClient.class)
	ReactorFetchClient fetchClient(FetchProperties properties, AddressRule addressRule,
			ObjectProvider<HostLookup> hostLookup, ObjectProvider<BulkheadRegistry> bulkheads,
			ObjectProvider<CircuitBreakerRegistry> circuitBreakers, ObjectProvider<MeterRegistry> meterRegistry,
			ObjectProvider<Clock> clock) {
		FetchProperties.Pool pool = properties.pool();
		return ReactorFetchClient.builder()
			.addressRule(addressRule)
			.hostLookup(hostLookup.getIfAvailable(() -> HostLookup.SYSTEM))
			.maxConnections(pool.maxConnections())
			.pendingAcquireTimeout(pool.pendingAcquireTimeout())
			.maxIdleTime(pool.maxIdleTime())
			.connectTimeout(pool.connectTimeout())
			.eventLoopThreads(pool.resolvedEventLoopThreads())
			.maxInFlight(properties.maxInFlight())
			.userAgent(properties.userAgent())
			.bulkheadRegistry(bulkheads.getIfAvailable(() -> defaultBulkheads(properties)))
			.circuitBreakerRegistry(circuitBreakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults))
			.meterRegistry(meterRegistry.getIfAvailable(CompositeMeterRegistry::new))
			.clock(clock.getIfAvailable(Clock::systemUTC))
			.build();
	}

	private static BulkheadRegistry defaultBulkheads(FetchProperties properties) {
		return BulkheadRegistry.of(BulkheadConfig.custom()
			.maxConcurrentCalls(properties.maxInFlight())
			.maxWaitDuration(Duration.ZERO)
			.build());
	}

}
