package io.fanout.fetch.http;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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

	static final String THROTTLED = "fanout.fetch.throttled";

	static final String TURN_WAIT = "fanout.fetch.turn.wait";

	/** The host tag of every host beyond the bound. */
	static final String OTHER = "other";

	private final MeterRegistry registry;

	private final Set<String> namedHosts;

	private final int maxHostTags;

	private final Set<String> taggedHosts = ConcurrentHashMap.newKeySet();

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final Map<String, Counter> retries = new ConcurrentHashMap<>();

	private final Map<String, Counter> throttled = new ConcurrentHashMap<>();

	private final Map<String, Timer> turnWaits = new ConcurrentHashMap<>();

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

	/** The host answered 429 or 503: requests to it slow down. */
	void recordThrottled(String host) {
		String tag = tag(host);
		this.throttled.computeIfAbsent(tag, key -> Counter.builder(THROTTLED)
			.description("Responses that said the host is overloaded (429, 503); requests to it slow down")
			.tag("host", tag)
			.register(this.registry)).increment();
	}

	/** A request waited for its turn (rates, flow key, tenant's requests in flight) before it could go. */
	void recordTurnWait(String host, long nanos) {
		String tag = tag(host);
		this.turnWaits.computeIfAbsent(tag, key -> Timer.builder(TURN_WAIT)
			.description("Time requests that had to wait spent waiting for their turn under a rate, a flow key's "
					+ "parallelism or their tenant's requests in flight")
			.tag("host", tag)
			.register(this.registry)).record(nanos, TimeUnit.NANOSECONDS);
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
