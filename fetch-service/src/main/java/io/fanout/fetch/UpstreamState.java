package io.fanout.fetch;

import org.jspecify.annotations.Nullable;

/**
 * What one tenant's requests to one upstream host look like now: its circuit breaker (the tenant's
 * own) and the host's concurrency and pace (shared by every tenant sending to it).
 *
 * @param host the host name, lower case (every port of a host shares its guards)
 * @param breaker the state of the tenant's breaker for the host: {@code CLOSED}, {@code OPEN},
 * {@code HALF_OPEN} or another Resilience4j state
 * @param failureRate percentage of failed calls in the breaker's window, or null until the window has
 * its minimum number of calls
 * @param slowCallRate percentage of slow calls in the window, or null likewise
 * @param succeeded calls that succeeded in the breaker's window
 * @param failed calls that failed in the window
 * @param notPermitted calls refused while the breaker was open, since it last closed
 * @param inFlight requests in flight to the host now, every tenant's together
 * @param waiting requests waiting for a slot of the host now
 * @param maxConcurrency most requests in flight to the host at once
 * @param ratePerSecond the host's configured rate, requests per second, or null for none
 * @param slowedDownTo the rate the host is slowed down to after a 429, requests per second, or null
 */
public record UpstreamState(String host, String breaker, @Nullable Float failureRate, @Nullable Float slowCallRate,
		int succeeded, int failed, long notPermitted, int inFlight, int waiting, int maxConcurrency,
		@Nullable Double ratePerSecond, @Nullable Double slowedDownTo) {
}
