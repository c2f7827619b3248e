package io.fanout.fetch.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.RetryPolicy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

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
@Validated
public record FetchProperties(@DefaultValue List<String> allowedNetworks, @DefaultValue("Fanout") String userAgent,
		@DefaultValue("10000") @Min(1) int maxInFlight, @DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue DefaultPolicy defaultPolicy, @DefaultValue Pool pool) {

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
	public record DefaultPolicy(@DefaultValue("10") @Min(1) @Max(FetchPolicy.MAX_CONCURRENCY) int concurrency,
			@DefaultValue("10s") Duration timeout, @DefaultValue("3") @Min(1) @Max(RetryPolicy.MAX_ATTEMPTS) int maxAttempts,
			@DefaultValue("200ms") Duration initialBackoff, @DefaultValue("5s") Duration maxBackoff,
			@DefaultValue("1MB") DataSize maxBodySize,
			@DefaultValue("5") @Min(0) @Max(FetchPolicy.MAX_REDIRECTS) int maxRedirects) {

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
	public record Pool(@DefaultValue("10000") @Min(1) int maxConnections,
			@DefaultValue("60s") Duration pendingAcquireTimeout, @DefaultValue("30s") Duration maxIdleTime,
			@DefaultValue("10s") Duration connectTimeout, @DefaultValue("0") @Min(0) int eventLoopThreads) {

		/** The thread count to use. */
		public int resolvedEventLoopThreads() {
			return (this.eventLoopThreads > 0) ? this.eventLoopThreads
					: Math.max(2, Runtime.getRuntime().availableProcessors());
		}

	}

}
