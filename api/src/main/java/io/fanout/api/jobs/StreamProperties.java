package io.fanout.api.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the live result streams (NDJSON and server-sent events), per instance.
 *
 * @param maxPerTenant most result streams one tenant may hold open on this instance at once; one more
 * is refused with a 429 ({@code too-many-streams}) and {@code Retry-After}
 * @param maxLifetime longest a result stream stays open; it then ends cleanly, and the client resumes
 * it from its cursor ({@code Last-Event-ID} or {@code after}) without losing or repeating a result
 * @param heartbeatInterval how often a silent result stream sends a heartbeat (an SSE comment, an empty
 * NDJSON line) so that proxies do not cut it as idle: at each interval in which nothing else was sent
 * @param retryAfter the wait suggested to a tenant refused for having too many streams open
 */
@ConfigurationProperties("fanout.api.streams")
public record StreamProperties(@DefaultValue("20") int maxPerTenant, @DefaultValue("15m") Duration maxLifetime,
		@DefaultValue("15s") Duration heartbeatInterval, @DefaultValue("5s") Duration retryAfter) {

	public StreamProperties {
		if (maxPerTenant < 1) {
			throw new IllegalArgumentException("fanout.api.streams.max-per-tenant must be at least 1");
		}
		positive("max-lifetime", maxLifetime);
		positive("heartbeat-interval", heartbeatInterval);
		if (retryAfter == null || retryAfter.isNegative()) {
			throw new IllegalArgumentException("fanout.api.streams.retry-after must not be negative");
		}
	}

	private static void positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("fanout.api.streams." + name + " must be positive");
		}
	}

}
