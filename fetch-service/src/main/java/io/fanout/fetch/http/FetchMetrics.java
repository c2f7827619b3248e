package io.fanout.fetch.http;

import java.time.Duration;

import io.fanout.fetch.FetchOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Fetch metrics, tagged by host and outcome, never by URL (URLs would explode the number of
 * series). Meters are looked up per use; Micrometer caches them.
 */
final class FetchMetrics {

	static final String REQUESTS = "fanout.fetch.requests";

	static final String RETRIES = "fanout.fetch.retries";

	private final MeterRegistry registry;

	FetchMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	void recordOutcome(String host, FetchOutcome outcome) {
		Timer.builder(REQUESTS)
			.description("Fetched requests, from first attempt to outcome")
			.tag("host", host)
			.tag("outcome", outcome.kind().name())
			.register(this.registry)
			.record(outcome.duration().isNegative() ? Duration.ZERO : outcome.duration());
	}

	void recordRetry(String host) {
		Counter.builder(RETRIES)
			.description("Attempts made again after a retryable failure")
			.tag("host", host)
			.register(this.registry)
			.increment();
	}

}
