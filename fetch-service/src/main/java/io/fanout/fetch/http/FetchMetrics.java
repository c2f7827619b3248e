package io.fanout.fetch.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fanout.fetch.FetchOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Fetch metrics, tagged by host and outcome, never by URL (URLs would explode the number of
 * series). Meters are kept per host and outcome, so the hot path does not build a meter id for
 * every request.
 */
final class FetchMetrics {

	static final String REQUESTS = "fanout.fetch.requests";

	static final String RETRIES = "fanout.fetch.retries";

	private final MeterRegistry registry;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final Map<String, Counter> retries = new ConcurrentHashMap<>();

	FetchMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	void recordOutcome(String host, FetchOutcome outcome) {
		String outcomeName = outcome.kind().name();
		Timer timer = this.timers.computeIfAbsent(host + ' ' + outcomeName, key -> Timer.builder(REQUESTS)
			.description("Fetched requests, from first attempt to outcome")
			.tag("host", host)
			.tag("outcome", outcomeName)
			.register(this.registry));
		timer.record(outcome.duration().isNegative() ? Duration.ZERO : outcome.duration());
	}

	void recordRetry(String host) {
		this.retries.computeIfAbsent(host, key -> Counter.builder(RETRIES)
			.description("Attempts made again after a retryable failure")
			.tag("host", host)
			.register(this.registry)).increment();
	}

}
