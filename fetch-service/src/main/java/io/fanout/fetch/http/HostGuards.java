package io.fanout.fetch.http;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.fanout.fetch.FetchScope;
import io.fanout.fetch.ssrf.BlockedAddressException;
import io.fanout.fetch.support.BoundedRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breakers of upstream hosts, one per tenant and host: a tenant's own failures (its 1 ms
 * timeouts, its requests to a path that answers 500) open its breaker, never another tenant's; a
 * host that fails for everyone opens every tenant's breaker from each tenant's own traffic. Their
 * settings come from the Resilience4j registry, so {@code resilience4j.circuitbreaker.*} applies: the
 * instance named after the host if one is configured, else the {@code default} config. The breakers
 * themselves are not registered there (that registry, and its metrics, would grow with every host
 * tenants name); they are kept for a bounded number of tenant and host pairs. Requests that never
 * reached the host, refused for want of room or by the SSRF rules, are not failures of it, nor are
 * 429s: the host is answering, and admission slows down for it.
 */
final class HostGuards {

	private final CircuitBreakerRegistry configs;

	private final BoundedRegistry<CircuitBreaker> breakers;

	HostGuards(CircuitBreakerRegistry configs, int maxEntries, Duration idleExpiry) {
		this.configs = configs;
		this.breakers = new BoundedRegistry<>(maxEntries, idleExpiry.toNanos(),
				(breaker) -> breaker.getState() == CircuitBreaker.State.CLOSED, System::nanoTime);
	}

	/** The breaker of this tenant's requests to this host. */
	CircuitBreaker breaker(FetchScope scope, String host) {
		return this.breakers.get(key(scope, host), (key) -> CircuitBreaker.of(key, config(host)));
	}

	/** The breaker of this tenant's requests to this host, if one is kept. */
	@Nullable CircuitBreaker find(FetchScope scope, String host) {
		return this.breakers.find(key(scope, host));
	}

	/** The breakers of this tenant, by host. */
	Map<String, CircuitBreaker> of(FetchScope scope) {
		String prefix = scope.tenant() + "@";
		Map<String, CircuitBreaker> found = new TreeMap<>();
		this.breakers.snapshot().forEach((key, breaker) -> {
			// Hosts never contain '@'; a tenant named "a" must not see tenant "a@b"'s breakers.
			if (key.startsWith(prefix) && key.indexOf('@', prefix.length()) < 0) {
				found.put(key.substring(prefix.length()), breaker);
			}
		});
		return found;
	}

	/** Drops the breaker of a tenant and host that never reached the host, if nothing was recorded. */
	void forget(FetchScope scope, String host) {
		String key = key(scope, host);
		CircuitBreaker breaker = this.breakers.find(key);
		if (breaker != null && breaker.getMetrics().getNumberOfBufferedCalls() == 0) {
			this.breakers.forget(key);
		}
	}

	/** How many breakers are kept now. */
	int size() {
		return this.breakers.size();
	}

	/** How many of them are open now. */
	long open() {
		return this.breakers.snapshot()
			.values()
			.stream()
			.filter((breaker) -> breaker.getState() == CircuitBreaker.State.OPEN)
			.count();
	}

	private CircuitBreakerConfig config(String host) {
		CircuitBreakerConfig config = this.configs.find(host)
			.map(CircuitBreaker::getCircuitBreakerConfig)
			.orElseGet(this.configs::getDefaultConfig);
		Predicate<Throwable> ignored = config.getIgnoreExceptionPredicate();
		return CircuitBreakerConfig.from(config)
			.ignoreException((failure) -> neverReachedTheHost(failure) || ignored.test(failure))
			.build();
	}

	/**
	 * Requests refused before they reached the host, and 429s: a host that says "too many" is
	 * answering, and is slowed down for it rather than cut off.
	 */
	private static boolean neverReachedTheHost(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RejectedException || cause instanceof BlockedAddressException) {
				return true;
			}
			if (cause instanceof RetryableStatusException status && status.response().status() == 429) {
				return true;
			}
		}
		return false;
	}

	private static String key(FetchScope scope, String host) {
		return scope.tenant() + "@" + host;
	}

}
