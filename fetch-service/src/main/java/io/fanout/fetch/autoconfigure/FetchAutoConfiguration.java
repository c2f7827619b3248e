package io.fanout.fetch.autoconfigure;

import java.time.Clock;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.HostLookup;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Provides a {@link FetchClient} configured from {@code fanout.fetch.*}: host and process limits from
 * {@code fanout.fetch.host-defaults}, {@code fanout.fetch.hosts} and {@code fanout.fetch.max-in-flight};
 * per-host circuit breakers from the Resilience4j registry when the application has one (configured
 * through {@code resilience4j.circuitbreaker.*}), else from a registry of its own.
 */
@AutoConfiguration(afterName = {
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
			ObjectProvider<HostLookup> hostLookup, ObjectProvider<CircuitBreakerRegistry> circuitBreakers, ObjectProvider<MeterRegistry> meterRegistry,
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
			.hostConcurrency(properties::maxConcurrency)
			.userAgent(properties.userAgent())
			.circuitBreakerRegistry(circuitBreakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults))
			.meterRegistry(meterRegistry.getIfAvailable(CompositeMeterRegistry::new))
			.clock(clock.getIfAvailable(Clock::systemUTC))
			.build();
	}

}
