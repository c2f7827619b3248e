package io.fanout.fetch.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The per-host bulkheads and circuit breakers, shared by every batch, plus the process-wide
 * bulkhead. Instances come from the Resilience4j registries, so {@code resilience4j.*}
 * configuration applies: an instance named after the host if one is configured, else the
 * {@code default} config. Two adjustments are always made, because the operator order relies on
 * them: bulkheads never wait (waiting would park an event loop), and a call a bulkhead rejected is
 * not a failure of the host.
 */
final class HostGuards {

	private static final Log logger = LogFactory.getLog(HostGuards.class);

	/** Name of the process-wide bulkhead in the registry. */
	static final String GLOBAL = "fanout-global";

	private final BulkheadRegistry bulkheads;

	private final CircuitBreakerRegistry breakers;

	private final Bulkhead global;

	private final Map<String, Guard> hosts = new ConcurrentHashMap<>();

	HostGuards(BulkheadRegistry bulkheads, CircuitBreakerRegistry breakers, int maxInFlight) {
		this.bulkheads = bulkheads;
		this.breakers = breakers;
		this.global = bulkheads.bulkhead(GLOBAL, BulkheadConfig.custom()
			.maxConcurrentCalls(maxInFlight)
			.maxWaitDuration(Duration.ZERO)
			.build());
	}

	Bulkhead global() {
		return this.global;
	}

	Guard forHost(String host) {
		return this.hosts.computeIfAbsent(host, name -> new Guard(bulkhead(name), circuitBreaker(name)));
	}

	private Bulkhead bulkhead(String host) {
		Bulkhead existing = this.bulkheads.find(host).orElse(null);
		BulkheadConfig config = (existing != null) ? existing.getBulkheadConfig() : this.bulkheads.getDefaultConfig();
		if (config.getMaxWaitDuration().isZero()) {
			return (existing != null) ? existing : this.bulkheads.bulkhead(host, config);
		}
		logger.warn("Bulkhead for " + host + " has maxWaitDuration " + config.getMaxWaitDuration()
				+ "; using 0, since waiting would park an event loop");
		Bulkhead nonWaiting = Bulkhead.of(host, BulkheadConfig.from(config).maxWaitDuration(Duration.ZERO).build());
		return replaceOrAdd(existing, nonWaiting);
	}

	private Bulkhead replaceOrAdd(Bulkhead existing, Bulkhead replacement) {
		if (existing != null) {
			this.bulkheads.replace(replacement.getName(), replacement);
			return replacement;
		}
		return this.bulkheads.bulkhead(replacement.getName(), replacement.getBulkheadConfig());
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
	record Guard(Bulkhead bulkhead, CircuitBreaker circuitBreaker) {
	}

}
