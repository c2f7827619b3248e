package io.fanout.fetch.autoconfigure;

import java.time.Clock;
import java.util.Set;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.fetch.admission.SlotLeases;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.HostLookup;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
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

	@Bean
	@ConditionalOnMissingBean
	MemoryBudget fetchMemoryBudget(FetchProperties properties) {
		return new MemoryBudget(properties.resolvedMemoryBudget());
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean(FetchClient.class)
	ReactorFetchClient fetchClient(FetchProperties properties, AddressRule addressRule, MemoryBudget memoryBudget,
			ObjectProvider<HostLookup> hostLookup, ObjectProvider<CircuitBreakerRegistry> circuitBreakers,
			ObjectProvider<MeterRegistry> meterRegistry, ObjectProvider<Clock> clock,
			ObjectProvider<SlotLeases> slotLeases, ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
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
			.memoryBudget(memoryBudget)
			.hostSettings(properties::hostSettings)
			.slotLeases(slotLeases.getIfAvailable())
			.slowDown(properties.slowDown().enabled(), properties.slowDown().minRate())
			.hostState(properties.hostState().maxHosts(), properties.hostState().idleExpiry())
			.extraction(properties.extraction().resolvedThreads(), properties.extraction().timeout(),
					properties.extraction().maxInput().toBytes())
			.crossOriginHeaders(Set.copyOf(properties.redirects().crossOriginHeaders()))
			.hostTags(properties.hosts().keySet(), properties.metrics().maxHostTags())
			.userAgent(properties.userAgent())
			.tracing(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP),
					properties.tracing().propagate())
			.circuitBreakerRegistry(circuitBreakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults))
			.meterRegistry(meterRegistry.getIfAvailable(CompositeMeterRegistry::new))
			.clock(clock.getIfAvailable(Clock::systemUTC))
			.build();
	}

}
