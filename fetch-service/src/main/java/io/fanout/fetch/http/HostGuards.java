package io.fanout.fetch.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

/**
 * The per-host circuit breakers, shared by every batch. Instances come from the Resilience4j
 * registry, so {@code resilience4j.circuitbreaker.*} configuration applies: an instance named after
 * the host if one is configured, else the {@code default} config. One adjustment is always made,
 * because the operator order relies on it: a request that never got room to be sent
 * ({@link RejectedException}) is not a failure of the host.
 */
final class HostGuards {

	private final CircuitBreakerRegistry breakers;

	private final Map<String, Guard> hosts = new ConcurrentHashMap<>();

	HostGuards(CircuitBreakerRegistry breakers) {
		this.breakers = breakers;
	}

	Guard forHost(String host) {
		return this.hosts.computeIfAbsent(host, name -> new Guard(circuitBreaker(name)));
	}

	private CircuitBreaker circuitBreaker(String host) {
		CircuitBreaker existing = this.breakers.find(host).orElse(null);
		CircuitBreakerConfig config = (existing != null) ? existing.getCircuitBreakerConfig()
				: this.breakers.getDefaultConfig();
		Predicate<Throwable> ignored = config.getIgnoreExceptionPredicate();
		if (ignored.test(new RejectedException("probe"))) {
			return (existing != null) ? existing : this.breakers.circuitBreaker(host, config);
		}
		CircuitBreakerConfig adjusted = CircuitBreakerConfig.from(config)
			.ignoreException(failure -> failure instanceof RejectedException || ignored.test(failure))
			.build();
		if (existing != null) {
			CircuitBreaker replacement = CircuitBreaker.of(host, adjusted);
			this.breakers.replace(host, replacement);
			return replacement;
		}
		return this.breakers.circuitBreaker(host, adjusted);
	}

	/** The guards of one host. */
	record Guard(CircuitBreaker circuitBreaker) {
	}

}
