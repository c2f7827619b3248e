package io.fanout.fetch.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.Rate;
import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.RetryPolicy;
import org.jspecify.annotations.Nullable;
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
 * @param maxInFlight most requests in flight in the whole process, all jobs together; requests beyond
 * wait their turn within their timeout
 * @param maxBodySize largest response body a job may ask to read
 * @param maxTimeout longest per-request timeout a job may ask for
 * @param maxBackoff longest wait between attempts a job may ask for
 * @param defaultPolicy the policy used where a job leaves a setting out
 * @param hostDefaults the limits of an upstream host that {@code hosts} does not list
 * @param hosts limits of particular upstream hosts, by host name; a name with dots goes in brackets:
 * {@code fanout.fetch.hosts.[api.example.com].max-concurrency=50}
 * @param memoryBudget most bytes of response bodies held at once, all jobs together (each body's first
 * 16 KiB aside); a body that does not fit waits for room, within its request's timeout. Left out, a
 * quarter of the heap; no job may ask for a {@code maxBodySize} larger than this
 * @param hostState how much per-host state is kept for hosts that tenants name
 * @param extraction where and within which budget bodies are decoded and extraction rules applied
 * @param redirects what follows a redirect
 * @param metrics how far metrics may be tagged by host
 * @param slowDown how requests to a host that answers 429 or 503 slow down
 * @param pool connection pool and event loops for upstream calls
 * @param tracing what upstream requests carry of the trace they belong to, when tracing is on
 */
@ConfigurationProperties("fanout.fetch")
public record FetchProperties(@DefaultValue List<String> allowedNetworks, @DefaultValue("Fanout") String userAgent,
		@DefaultValue("10000") int maxInFlight, @DefaultValue("10MB") DataSize maxBodySize,
		@DefaultValue("5m") Duration maxTimeout, @DefaultValue("5m") Duration maxBackoff,
		@DefaultValue DefaultPolicy defaultPolicy, @DefaultValue HostDefaults hostDefaults,
		@DefaultValue Map<String, Host> hosts, @Nullable DataSize memoryBudget, @DefaultValue HostState hostState,
		@DefaultValue Extraction extraction, @DefaultValue Redirects redirects, @DefaultValue Metrics metrics,
		@DefaultValue SlowDown slowDown, @DefaultValue Pool pool, @DefaultValue Tracing tracing) {

	/** Header names that look like credentials: they never follow a redirect to another origin. */
	private static final List<String> CREDENTIAL_WORDS = List.of("auth", "token", "key", "secret", "cookie",
			"session", "password", "credential", "signature");

	// Checked here rather than with Bean Validation, so that no validation provider is needed.
	public FetchProperties {
		allowedNetworks = (allowedNetworks != null) ? List.copyOf(allowedNetworks) : List.of();
		require(maxInFlight >= 1, "fanout.fetch.max-in-flight must be at least 1");
		require(maxBodySize != null && maxBodySize.toBytes() >= 0, "fanout.fetch.max-body-size must not be negative");
		require(defaultPolicy == null || maxBodySize == null || defaultPolicy.maxBodySize().compareTo(maxBodySize) <= 0,
				"fanout.fetch.default-policy.max-body-size must not exceed fanout.fetch.max-body-size");
		Map<String, Host> byName = new LinkedHashMap<>();
		if (hosts != null) {
			hosts.forEach((name, host) -> byName.put(name.toLowerCase(Locale.ROOT), host));
		}
		byName.forEach((name, host) -> require(host.maxConcurrency() == null || host.maxConcurrency() >= 1,
				"fanout.fetch.hosts.[" + name + "].max-concurrency must be at least 1"));
		require(maxTimeout != null && !maxTimeout.isNegative() && !maxTimeout.isZero(),
				"fanout.fetch.max-timeout must be positive");
		require(maxBackoff != null && !maxBackoff.isNegative(), "fanout.fetch.max-backoff must not be negative");
		require(defaultPolicy == null || maxTimeout == null || defaultPolicy.timeout().compareTo(maxTimeout) <= 0,
				"fanout.fetch.default-policy.timeout must not exceed fanout.fetch.max-timeout");
		hosts = Map.copyOf(byName);
		require(memoryBudget == null || memoryBudget.toBytes() >= 1024 * 1024,
				"fanout.fetch.memory-budget must be at least 1MB");
	}

	/** The memory budget in bytes: as configured, else a quarter of the largest heap. */
	public long resolvedMemoryBudget() {
		return (this.memoryBudget != null) ? this.memoryBudget.toBytes()
				: Math.max(16L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
	}

	/** What configuration says of {@code host} (lower case): its concurrency and its rate. */
	public Admission.HostSettings hostSettings(String host) {
		Host settings = this.hosts.get(host);
		Rate rate = (settings != null && settings.rate() != null) ? settings.rate().toRate() : null;
		return new Admission.HostSettings(maxConcurrency(host), rate);
	}

	/** Most requests in flight to {@code host} (lower case), all jobs together. */
	public int maxConcurrency(String host) {
		Host settings = this.hosts.get(host);
		return (settings != null && settings.maxConcurrency() != null) ? settings.maxConcurrency()
				: this.hostDefaults.maxConcurrency();
	}

	/**
	 * What a job may ask for beyond the limits of every policy: a body no larger than the cap nor the
	 * memory budget (a body the budget can never hold would wait forever), and the extraction limits.
	 */
	public PolicyLimits policyLimits() {
		return new PolicyLimits(Math.min(this.maxBodySize.toBytes(), resolvedMemoryBudget()),
				this.extraction.maxRules(), this.extraction.maxRuleLength(), this.maxTimeout, this.maxBackoff);
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
					maxBodySize.toBytes(), false, maxRedirects, false, null, null);
		}

		/** This as a {@link FetchPolicy}: fail-fast off, redirects not followed. */
		public FetchPolicy toPolicy() {
			return new FetchPolicy(this.concurrency, this.timeout,
					RetryPolicy.of(this.maxAttempts, this.initialBackoff, this.maxBackoff), false,
					this.maxBodySize.toBytes(), false, this.maxRedirects, false, null, null);
		}

	}

	/**
	 * The limits of an upstream host that {@code fanout.fetch.hosts} does not list.
	 *
	 * @param maxConcurrency most requests in flight to one host, all jobs together; requests beyond
	 * wait their turn within their timeout, and end {@code REJECTED} if it passes first
	 */
	public record HostDefaults(@DefaultValue("10000") int maxConcurrency) {

		public HostDefaults {
			require(maxConcurrency >= 1, "fanout.fetch.host-defaults.max-concurrency must be at least 1");
		}

	}

	/**
	 * The limits of one upstream host; what is left out comes from {@code fanout.fetch.host-defaults}.
	 *
	 * @param maxConcurrency most requests in flight to this host, all jobs together
	 * @param rate how fast requests may go to this host, all jobs together (and all replicas, on
	 * PostgreSQL); requests wait for their turn, their timeout not counting
	 */
	public record Host(@Nullable Integer maxConcurrency, @Nullable RateSetting rate) {
	}

	/**
	 * A rate in configuration: {@code permits} requests per {@code period}, spread evenly.
	 *
	 * @param permits requests per period
	 * @param period the period
	 */
	public record RateSetting(int permits, @DefaultValue("1s") Duration period) {

		public RateSetting {
			new Rate(permits, period);
		}

		Rate toRate() {
			return new Rate(this.permits, this.period);
		}

	}

	/**
	 * How a host that answers 429 or 503 is slowed down, for every job: its rate halves at each such
	 * answer (from what it was receiving, or its configured rate), pauses for a {@code Retry-After},
	 * and recovers by a tenth of it every second without one.
	 *
	 * @param enabled whether hosts are slowed down at all
	 * @param minRate the slowest a host is slowed down to, requests per second
	 */
	public record SlowDown(@DefaultValue("true") boolean enabled, @DefaultValue("1") double minRate) {

		public SlowDown {
			require(minRate > 0, "fanout.fetch.slow-down.min-rate must be positive");
		}

	}

	/**
	 * How much per-host state is kept: concurrency limits and circuit breakers of the hosts tenants
	 * name. Beyond {@code maxHosts}, the hosts idle longest are forgotten (their state made anew if they
	 * come back); a host in use is never forgotten.
	 *
	 * @param maxHosts most hosts, and tenant and host pairs, whose state is kept while idle
	 * @param idleExpiry how long an idle host's state is kept
	 */
	public record HostState(@DefaultValue("10000") int maxHosts, @DefaultValue("10m") Duration idleExpiry) {

		public HostState {
			require(maxHosts >= 1, "fanout.fetch.host-state.max-hosts must be at least 1");
		}

	}

	/**
	 * Bodies are decoded and rules applied on threads of their own, never on an event loop, each body
	 * within a time budget and up to a size; past either, the request ends {@code EXTRACTION_FAILED}.
	 * Rules with regular expressions are refused when submitted.
	 *
	 * @param threads threads for it; 0 means one per core
	 * @param timeout longest the work on one body may take
	 * @param maxInput largest body extraction reads
	 * @param maxRules most extraction rules on one request
	 * @param maxRuleLength longest extraction rule, at most 500 characters
	 */
	public record Extraction(@DefaultValue("0") int threads, @DefaultValue("1s") Duration timeout,
			@DefaultValue("4MB") DataSize maxInput, @DefaultValue("20") int maxRules,
			@DefaultValue("500") int maxRuleLength) {

		public Extraction {
			require(threads >= 0, "fanout.fetch.extraction.threads must not be negative");
			require(timeout != null && !timeout.isNegative() && !timeout.isZero(),
					"fanout.fetch.extraction.timeout must be positive");
			require(maxRules >= 0, "fanout.fetch.extraction.max-rules must not be negative");
			require(maxRuleLength >= 1 && maxRuleLength <= io.fanout.fetch.extract.Extraction.MAX_RULE_LENGTH,
					"fanout.fetch.extraction.max-rule-length must be between 1 and "
							+ io.fanout.fetch.extract.Extraction.MAX_RULE_LENGTH);
		}

		/** The thread count to use. */
		public int resolvedThreads() {
			return (this.threads > 0) ? this.threads : Math.max(1, Runtime.getRuntime().availableProcessors());
		}

	}

	/**
	 * What follows a redirect. Within one origin (scheme, host and port) every header does; to
	 * another, only these. A name that looks like a credential is refused here: credentials stay with
	 * their origin, whatever they are called.
	 *
	 * @param crossOriginHeaders headers that follow a redirect to another origin
	 */
	public record Redirects(@DefaultValue({ "Accept", "Accept-Language", "Content-Type", "User-Agent" })
	List<String> crossOriginHeaders) {

		public Redirects {
			crossOriginHeaders = List.copyOf(crossOriginHeaders);
			for (String name : crossOriginHeaders) {
				String lower = name.toLowerCase(Locale.ROOT);
				require(CREDENTIAL_WORDS.stream().noneMatch(lower::contains),
						"fanout.fetch.redirects.cross-origin-headers: '" + name + "' looks like a credential, "
								+ "and credentials never follow a redirect to another origin");
			}
		}

	}

	/**
	 * How far fetch metrics are tagged by host: tenants name the hosts, so the tag is bounded.
	 *
	 * @param maxHostTags besides the hosts listed under {@code fanout.fetch.hosts}, how many hosts get a
	 * tag of their own (the first that answer); every other is tagged {@code other}. 0 tags none
	 */
	public record Metrics(@DefaultValue("50") int maxHostTags) {

		public Metrics {
			require(maxHostTags >= 0, "fanout.fetch.metrics.max-host-tags must not be negative");
		}

	}

	/**
	 * Upstream requests and the trace they belong to, when tracing is on
	 * ({@code management.opentelemetry.enabled}): each has a span either way.
	 *
	 * @param propagate whether requests send their span's context upstream in a {@code traceparent}
	 * header (W3C Trace Context). Off by default: it tells every upstream the trace and span ids, which
	 * a third-party host has no use for; a job that sets {@code traceparent} itself keeps its own
	 */
	public record Tracing(@DefaultValue("false") boolean propagate) {
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
