package io.fanout.fetch.http;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.OutcomeKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Fetch metrics, tagged by host and outcome, never by URL. Tenants choose the hosts, so the
 * {@code host} tag is bounded: the hosts named in configuration, then the first {@code maxHostTags}
 * others that answered; every other host is {@code other}. A request refused before it connected
 * (SSRF rules) only counts in {@code fanout.fetch.blocked}, untagged by host. Meters are kept per
 * tag and outcome, so the hot path does not build a meter id for every request.
 */
final class FetchMetrics {

	static final String REQUESTS = "fanout.fetch.requests";

	static final String RETRIES = "fanout.fetch.retries";

	static final String BLOCKED = "fanout.fetch.blocked";

	/** The host tag of every host beyond the bound. */
	static final String OTHER = "other";

	private final MeterRegistry registry;

	private final Set<String> namedHosts;

	private final int maxHostTags;

	private final Set<String> taggedHosts = ConcurrentHashMap.newKeySet();

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final Map<String, Counter> retries = new ConcurrentHashMap<>();

	private final Counter blocked;

	FetchMetrics(MeterRegistry registry, Set<String> namedHosts, int maxHostTags) {
		this.registry = registry;
		this.namedHosts = Set.copyOf(namedHosts);
		this.maxHostTags = maxHostTags;
		this.blocked = Counter.builder(BLOCKED)
			.description("Requests refused before connecting: the destination is not allowed")
			.register(registry);
	}

	void recordOutcome(String host, FetchOutcome outcome) {
		if (outcome.kind() == OutcomeKind.BLOCKED && outcome.attempts() == 0) {
			this.blocked.increment();
			return;
		}
		String tag = tag(host);
		String outcomeName = outcome.kind().name();
		Timer timer = this.timers.computeIfAbsent(tag + ' ' + outcomeName, key -> Timer.builder(REQUESTS)
			.description("Fetched requests, from first attempt to outcome")
			.tag("host", tag)
			.tag("outcome", outcomeName)
			.register(this.registry));
		timer.record(outcome.duration().isNegative() ? Duration.ZERO : outcome.duration());
	}

	void recordRetry(String host) {
		String tag = tag(host);
		this.retries.computeIfAbsent(tag, key -> Counter.builder(RETRIES)
			.description("Attempts made again after a retryable failure")
			.tag("host", tag)
			.register(this.registry)).increment();
	}

	private String tag(String host) {
		if (this.namedHosts.contains(host) || this.taggedHosts.contains(host)) {
			return host;
		}
		// Checking the count and adding must be one step: two new hosts at once could both pass the bound.
		synchronized (this.taggedHosts) {
			if (this.taggedHosts.size() < this.maxHostTags) {
				this.taggedHosts.add(host);
				return host;
			}
		}
		return OTHER;
	}

}
