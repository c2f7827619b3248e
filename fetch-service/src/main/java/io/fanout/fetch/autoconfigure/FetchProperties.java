package io.fanout.fetch.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.RetryPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the fetch engine.
 *
 * @param allowedNetworks CIDR networks exempt from SSRF protection (e.g. {@code 127.0.0.1/32},
 * {@code 10.20.0.0/16}); empty means every loopback, private, link-local and other special-purpose
 * address is refused
 * @param userAgent the {@code User-Agent} header sent upstream unless a request sets its own
 * @param maxInFlight most requests in flight in the whole process, all jobs together
 * @param maxBodySize largest response body a job may ask to read
 * @param defaultPolicy the policy used where a job leaves a setting out
 * @param pool connection pool and event loops for upstream calls
 */
@ConfigurationProperties("fanout.fetch")
public record FetchProperties(@DefaultValue List<String> allowedNetworks, @DefaultValue("Fanout") String userAgent,
		@DefaultValue("10000") int maxInFlight, @DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue DefaultPolicy defaultPolicy, @DefaultValue Pool pool) {

	// Checked here rather than with Bean Validation, so that no validation provider is needed.
	public FetchProperties {
		allowedNetworks = (allowedNetworks != null) ? List.copyOf(allowedNetworks) : List.of();
		require(maxInFlight >= 1, "fanout.fetch.max-in-flight must be at least 1");
		require(maxBodySize != null && maxBodySize.toBytes() >= 0, "fanout.fetch.max-body-size must not be negative");
		require(defaultPolicy == null || maxBodySize == null || defaultPolicy.maxBodySize().compareTo(maxBodySize) <= 0,
				"fanout.fetch.default-policy.max-body-size must not exceed fanout.fetch.max-body-size");
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

	/**
	 * The policy a job gets for settings it does not give.
	 *
	 * @param concurrency requests of one job in flight at once
	 * @param timeout limit for one attempt of one request: connect, response and body
	 * @param maxAttempts attempts per request, the first included
	 * @param initialBackoff wait before the first retry; doubles with each retry
	 * @param maxBackoff longest wait between attempts, {@code Retry-After} included
	 * @param maxBodySize most bytes of a response body read
	 * @param maxRedirects most redirect hops followed when a job asks to follow them
	 */
	public record DefaultPolicy(@DefaultValue("10") int concurrency, @DefaultValue("10s") Duration timeout,
			@DefaultValue("3") int maxAttempts, @DefaultValue("200ms") Duration initialBackoff,
			@DefaultValue("5s") Duration maxBackoff, @DefaultValue("1MB") DataSize maxBodySize,
			@DefaultValue("5") int maxRedirects) {

		// Building the policy checks every value against the same limits a job's policy has.
		public DefaultPolicy {
			new FetchPolicy(concurrency, timeout, RetryPolicy.of(maxAttempts, initialBackoff, maxBackoff), false,
					maxBodySize.toBytes(), false, maxRedirects);
		}

		/** This as a {@link FetchPolicy}: fail-fast off, redirects not followed. */
		public FetchPolicy toPolicy() {
			return new FetchPolicy(this.concurrency, this.timeout,
					RetryPolicy.of(this.maxAttempts, this.initialBackoff, this.maxBackoff), false,
					this.maxBodySize.toBytes(), false, this.maxRedirects);
		}

	}

	/**
	 * The upstream connection pool. Reactor Netty's own defaults are sized for a handful of
	 * connections; Fanout's fan-out needs thousands.
	 *
	 * @param maxConnections most connections per upstream host
	 * @param pendingAcquireTimeout longest wait for a pooled connection
	 * @param maxIdleTime how long an idle connection is kept
	 * @param connectTimeout TCP connect timeout
	 * @param eventLoopThreads event-loop threads for upstream I/O; 0 means one per core
	 */
	public record Pool(@DefaultValue("10000") int maxConnections, @DefaultValue("60s") Duration pendingAcquireTimeout,
			@DefaultValue("30s") Duration maxIdleTime, @DefaultValue("10s") Duration connectTimeout,
			@DefaultValue("0") int eventLoopThreads) {

		public Pool {
			require(maxConnections >= 1, "fanout.fetch.pool.max-connections must be at least 1");
			require(eventLoopThreads >= 0, "fanout.fetch.pool.event-loop-threads must not be negative");
		}

		/** The thread count to use. */
		public int resolvedEventLoopThreads() {
			return (this.eventLoopThreads > 0) ? this.eventLoopThreads
					: Math.max(2, Runtime.getRuntime().availableProcessors());
		}

	}

}
