package io.fanout.fetch.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.extract.Extraction;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.BlockedAddressException;
import io.fanout.fetch.ssrf.ConnectGuard;
import io.fanout.fetch.ssrf.GuardedAddressResolverGroup;
import io.fanout.fetch.ssrf.HostLookup;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The {@link FetchClient} on Reactor Netty's {@link HttpClient} and Resilience4j.
 * <p>
 * Each request is composed, inside out: the HTTP exchange (redirects followed here, each hop's
 * address checked at connect time) → {@link Admission}, where it waits in line, without holding a
 * thread, for room at its host and in the process → time limiter ({@code policy.timeout()}, the wait
 * included: a request that never got room ends {@code REJECTED}, nothing sent) → per-host circuit
 * breaker, which thus counts timeouts and 5xx as failures → retry with exponential backoff, never
 * after an open circuit → mapping to a {@link FetchOutcome}. The batch's own concurrency cap is
 * {@link Concurrently}'s: requests beyond it are not started at all.
 */
public final class ReactorFetchClient implements FetchClient, AutoCloseable {

	private final HttpClient http;

	private final HostGuards guards;

	private final Admission admission;

	private final FetchMetrics metrics;

	private final Clock clock;

	private final ConnectionProvider connections;

	private final LoopResources loops;

	private ReactorFetchClient(Builder builder) {
		this.connections = ConnectionProvider.builder("fanout-fetch")
			.maxConnections(builder.maxConnections)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(builder.pendingAcquireTimeout)
			.maxIdleTime(builder.maxIdleTime)
			.evictInBackground(builder.maxIdleTime)
			.build();
		// Not colocated: a request made from a server event loop may still be served by any loop,
		// so upstream I/O spreads over every core.
		this.loops = LoopResources.create("fanout-fetch", 1, builder.eventLoopThreads, true, false);
		ConnectGuard connectGuard = new ConnectGuard(builder.addressRule);
		this.http = HttpClient.create(this.connections)
			.runOn(this.loops)
			.resolver(new GuardedAddressResolverGroup(builder.hostLookup, builder.addressRule,
					Schedulers.boundedElastic()))
			.doOnChannelInit((observer, channel, remote) -> channel.pipeline().addFirst(ConnectGuard.NAME, connectGuard))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) builder.connectTimeout.toMillis())
			.followRedirect(false)
			.disableRetry(true)
			.compress(true)
			.headers(headers -> headers.set(HttpHeaderNames.USER_AGENT, builder.userAgent));
		this.guards = new HostGuards(builder.circuitBreakers);
		this.admission = new Admission(builder.maxInFlight, builder.hostConcurrency);
		this.metrics = new FetchMetrics(builder.meterRegistry);
		this.clock = builder.clock;
	}

	/** A builder with production defaults: SSRF rule strict, pool of 10,000 connections per host. */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public Flux<FetchOutcome> fetchAll(List<FetchRequest> requests, FetchPolicy policy, IntPredicate include) {
		Objects.requireNonNull(requests, "requests");
		Objects.requireNonNull(policy, "policy");
		Objects.requireNonNull(include, "include");
		return Flux.defer(() -> {
			int size = requests.size();
			BitSet finished = new BitSet(size);
			PrimitiveIterator.OfInt indexes = IntStream.range(0, size).filter(include).iterator();
			Flux<FetchOutcome> outcomes = Concurrently
				.run(indexes, policy.concurrency(),
						index -> fetchOne(index, Objects.requireNonNull(requests.get(index), "request"), policy))
				.doOnNext(outcome -> finished.set(outcome.index()));
			if (!policy.failFast()) {
				return outcomes;
			}
			AtomicInteger firstFailure = new AtomicInteger(-1);
			return outcomes.takeUntil(outcome -> {
				if (!outcome.succeeded()) {
					firstFailure.set(outcome.index());
					return true;
				}
				return false;
			}).concatWith(Flux.defer(() -> cancelRest(size, include, finished, firstFailure.get())));
		});
	}

	private Flux<FetchOutcome> cancelRest(int size, IntPredicate include, BitSet finished, int failedIndex) {
		if (failedIndex < 0) {
			return Flux.empty();
		}
		Instant now = this.clock.instant();
		String why = "cancelled by fail-fast: request " + failedIndex + " failed";
		return Flux.range(0, size)
			.filter(index -> include.test(index) && !finished.get(index))
			.map(index -> FetchOutcome.cancelled(index, now, 0, why));
	}

	private Mono<FetchOutcome> fetchOne(int index, FetchRequest request, FetchPolicy policy) {
		return Mono.defer(() -> {
			Instant startedAt = this.clock.instant();
			long start = System.nanoTime();
			String host = hostOf(request.url());
			HostGuards.Guard guard = this.guards.forHost(host);
			AtomicInteger attempts = new AtomicInteger();
			return attemptWithRetries(request, policy, guard, host, attempts, 0)
				.map(response -> responseOutcome(index, request, response, attempts.get(), startedAt, start, null))
				.onErrorResume(failure -> Mono.just(failureOutcome(index, request, failure, attempts.get(), startedAt, start)))
				.doOnNext(outcome -> this.metrics.recordOutcome(host, outcome));
		});
	}

	/** One attempt, with its guards, in the order the class comment gives. */
	private Mono<RawResponse> attempt(FetchRequest request, FetchPolicy policy, HostGuards.Guard guard, String host,
			AtomicInteger attempts) {
		AtomicBoolean sent = new AtomicBoolean();
		Mono<RawResponse> exchange = Mono.defer(() -> {
			sent.set(true);
			attempts.incrementAndGet();
			return follow(request.method(), request.url(), request.headers(), request.body(), policy, 0);
		}).flatMap(response -> isRetryableStatus(response.status())
				? Mono.error(new RetryableStatusException(response)) : Mono.just(response));
		Mono<RawResponse> admitted = Mono.usingWhen(this.admission.admit(host), permit -> exchange,
				Admission.Permit::releasing, (permit, failure) -> permit.releasing(), Admission.Permit::releasing);
		return admitted.timeout(policy.timeout())
			.onErrorMap(TimeoutException.class, timeout -> sent.get() ? timeout
					: new RejectedException("no room at " + host + " for " + policy.timeout().toMillis()
							+ " ms; nothing was sent"))
			.transformDeferred(CircuitBreakerOperator.of(guard.circuitBreaker()));
	}

	/**
	 * Attempts until one succeeds or the retry policy says stop. A retry is built only when an
	 * attempt fails: the common case, a first attempt that succeeds, pays for nothing more.
	 */
	private Mono<RawResponse> attemptWithRetries(FetchRequest request, FetchPolicy policy, HostGuards.Guard guard,
			String host, AtomicInteger attempts, long retriesSoFar) {
		return attempt(request, policy, guard, host, attempts).onErrorResume(failure -> {
			RetryPolicy retry = policy.retry();
			Failures.Classification kind = Failures.classify(failure);
			if (retriesSoFar + 1 >= retry.maxAttempts() || kind.retryOn() == null
					|| !retry.retryOn().contains(kind.retryOn())) {
				return Mono.error(failure);
			}
			this.metrics.recordRetry(host);
			String retryAfter = (failure instanceof RetryableStatusException status) ? status.response().retryAfter()
					: null;
			return Mono.delay(Backoff.delay(retry, retriesSoFar, retryAfter, this.clock.instant()))
				.then(Mono.defer(() -> attemptWithRetries(request, policy, guard, host, attempts, retriesSoFar + 1)));
		});
	}

	/** One exchange, then the redirect hops the policy allows, each a new exchange. */
	private Mono<RawResponse> follow(String method, URI uri, Map<String, String> headers, @Nullable String body,
			FetchPolicy policy, int hop) {
		return exchange(method, uri, headers, body, policy.maxBodySize()).flatMap(response -> {
			if (!policy.followRedirects() || !response.isRedirect()) {
				return Mono.just(response);
			}
			if (hop >= policy.maxRedirects()) {
				return Mono.error(new RedirectException("more than " + policy.maxRedirects() + " redirects", response));
			}
			URI next;
			try {
				next = uri.resolve(new URI(response.location().strip()));
			}
			catch (Exception ex) {
				return Mono.error(new RedirectException("invalid redirect location", response));
			}
			String scheme = (next.getScheme() != null) ? next.getScheme().toLowerCase(Locale.ROOT) : "";
			if (!scheme.equals("http") && !scheme.equals("https")) {
				return Mono.error(new BlockedRedirectException("redirect to scheme '" + scheme + "' refused"));
			}
			boolean keepMethod = response.status() == 307 || response.status() == 308;
			boolean sameOrigin = Objects.equals(hostOf(next), hostOf(uri)) && next.getPort() == uri.getPort();
			return follow(keepMethod ? method : (method.equals("HEAD") ? "HEAD" : "GET"), next,
					sameOrigin ? headers : withoutCredentials(headers), keepMethod ? body : null, policy, hop + 1)
				.onErrorMap(failure -> isBlockedFirstHop(failure),
						failure -> new BlockedRedirectException("redirect to " + next.getHost() + " refused: "
								+ Failures.classify(failure).message()));
		});
	}

	private Mono<RawResponse> exchange(String method, URI uri, Map<String, String> headers, @Nullable String body,
			long maxBodySize) {
		// Configuring headers copies the client's configuration: only pay for it when there are some.
		HttpClient client = headers.isEmpty() ? this.http : this.http.headers(h -> headers.forEach(h::set));
		HttpClient.RequestSender sender = client.request(HttpMethod.valueOf(method)).uri(uri);
		HttpClient.ResponseReceiver<?> receiver = (body != null)
				? sender.send(ByteBufFlux.fromString(Mono.just(body), StandardCharsets.UTF_8, ByteBufAllocator.DEFAULT))
				: sender;
		// single(), not next(): next() cancels upstream as soon as the value arrives, which would reach
		// read()'s cancel handler and close a connection that could have gone back to the pool.
		return receiver.responseConnection((response, connection) -> read(uri, response, connection, maxBodySize))
			.single();
	}

	private Mono<RawResponse> read(URI uri, HttpClientResponse response, Connection connection, long maxBodySize) {
		HttpHeaders headers = response.responseHeaders();
		int status = response.status().code();
		long declared = parseLength(headers.get(HttpHeaderNames.CONTENT_LENGTH));
		if (declared > maxBodySize) {
			// Never read it: drop the connection so the upstream stops sending.
			connection.dispose();
			return Mono.error(new BodyTooLargeException(declared, maxBodySize, true));
		}
		return connection.inbound()
			.receive()
			.reduceWith(() -> new BodyBuffer(maxBodySize), BodyBuffer::append)
			.doOnError(failure -> connection.dispose())
			.doOnCancel(connection::dispose)
			.map(buffer -> new RawResponse(uri, status, headers.get(HttpHeaderNames.CONTENT_TYPE),
					headers.get(HttpHeaderNames.LOCATION), headers.get(HttpHeaderNames.RETRY_AFTER),
					buffer.toByteArray()));
	}

	private FetchOutcome responseOutcome(int index, FetchRequest request, RawResponse response, int attempts,
			Instant startedAt, long start, @Nullable FetchError error) {
		String text = Bodies.text(response.contentType(), response.body());
		Map<String, @Nullable Object> extracted = (text != null) ? Extraction.apply(request.extract(), text)
				: nulls(request.extract());
		boolean ok = response.isSuccess() && error == null;
		FetchError reported = ok ? null
				: (error != null) ? error : new FetchError(ErrorKind.HTTP_STATUS, "HTTP " + response.status());
		return new FetchOutcome(index, ok ? OutcomeKind.SUCCEEDED : OutcomeKind.HTTP_ERROR, response.status(), attempts,
				startedAt, elapsed(start), text, response.body().length, extracted, reported);
	}

	private FetchOutcome failureOutcome(int index, FetchRequest request, Throwable failure, int attempts,
			Instant startedAt, long start) {
		Failures.Classification kind = Failures.classify(failure);
		if (failure instanceof RetryableStatusException status) {
			return responseOutcome(index, request, status.response(), attempts, startedAt, start,
					new FetchError(ErrorKind.HTTP_STATUS, kind.message()));
		}
		if (failure instanceof RedirectException redirect) {
			return responseOutcome(index, request, redirect.response(), attempts, startedAt, start,
					new FetchError(ErrorKind.PROTOCOL, kind.message()));
		}
		long size = (failure instanceof BodyTooLargeException tooLarge) ? tooLarge.size() : 0;
		// A first hop refused by the SSRF rules sent nothing: that attempt does not count.
		int made = isBlockedFirstHop(failure) ? Math.max(0, attempts - 1) : attempts;
		return new FetchOutcome(index, kind.outcome(), null, made, startedAt, elapsed(start), null, size,
				nulls(request.extract()), new FetchError(kind.error(), kind.message()));
	}

	private static boolean isBlockedFirstHop(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof BlockedRedirectException) {
				return false;
			}
			if (cause instanceof BlockedAddressException) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, @Nullable Object> nulls(Map<String, String> rules) {
		if (rules.isEmpty()) {
			return Map.of();
		}
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		rules.keySet().forEach(name -> values.put(name, null));
		return values;
	}

	private static Map<String, String> withoutCredentials(Map<String, String> headers) {
		Map<String, String> kept = new LinkedHashMap<>(headers);
		kept.keySet()
			.removeIf(name -> name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie")
					|| name.equalsIgnoreCase("Proxy-Authorization"));
		return kept;
	}

	private static boolean isRetryableStatus(int status) {
		return status >= 500 || status == 408 || status == 429;
	}

	private static long parseLength(@Nullable String value) {
		if (value == null) {
			return -1;
		}
		try {
			return Long.parseLong(value.strip());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static Duration elapsed(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

	static String hostOf(URI uri) {
		String host = uri.getHost();
		return (host != null) ? host.toLowerCase(Locale.ROOT) : "";
	}

	/** Releases the connection pool and the event loops. */
	@Override
	public void close() {
		this.connections.dispose();
		this.loops.dispose();
	}

	/** Settings of a {@link ReactorFetchClient}. */
	public static final class Builder {

		private AddressRule addressRule = AddressRule.strict();

		private HostLookup hostLookup = HostLookup.SYSTEM;

		private int maxConnections = 10_000;

		private Duration pendingAcquireTimeout = Duration.ofSeconds(60);

		private Duration maxIdleTime = Duration.ofSeconds(30);

		private Duration connectTimeout = Duration.ofSeconds(10);

		private int eventLoopThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

		private int maxInFlight = 10_000;

		private ToIntFunction<String> hostConcurrency = (host) -> 10_000;

		private String userAgent = "Fanout";

		private CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.ofDefaults();

		private MeterRegistry meterRegistry = new CompositeMeterRegistry();

		private Clock clock = Clock.systemUTC();

		private Builder() {
		}

		/** Which addresses may be reached (SSRF protection). */
		public Builder addressRule(AddressRule addressRule) {
			this.addressRule = Objects.requireNonNull(addressRule);
			return this;
		}

		/** How host names are resolved; the rule still applies to what comes back. */
		public Builder hostLookup(HostLookup hostLookup) {
			this.hostLookup = Objects.requireNonNull(hostLookup);
			return this;
		}

		/** Most connections per upstream host. */
		public Builder maxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
			return this;
		}

		/** Longest wait for a pooled connection. */
		public Builder pendingAcquireTimeout(Duration pendingAcquireTimeout) {
			this.pendingAcquireTimeout = pendingAcquireTimeout;
			return this;
		}

		/** How long an idle pooled connection is kept. */
		public Builder maxIdleTime(Duration maxIdleTime) {
			this.maxIdleTime = maxIdleTime;
			return this;
		}

		/** TCP connect timeout (the per-request timeout still bounds everything). */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		/** Event-loop threads for upstream I/O. */
		public Builder eventLoopThreads(int eventLoopThreads) {
			this.eventLoopThreads = eventLoopThreads;
			return this;
		}

		/** Most requests in flight in the whole process, all batches together. */
		public Builder maxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
			return this;
		}

		/** The {@code User-Agent} sent upstream unless a request sets its own. */
		public Builder userAgent(String userAgent) {
			this.userAgent = userAgent;
			return this;
		}

		/**
		 * Most requests in flight to one host, all batches together, by host name (lower case);
		 * requests beyond it wait their turn within their timeout.
		 */
		public Builder hostConcurrency(ToIntFunction<String> hostConcurrency) {
			this.hostConcurrency = Objects.requireNonNull(hostConcurrency);
			return this;
		}

		/** Where per-host circuit breakers come from. */
		public Builder circuitBreakerRegistry(CircuitBreakerRegistry circuitBreakers) {
			this.circuitBreakers = Objects.requireNonNull(circuitBreakers);
			return this;
		}

		/** Where metrics go. */
		public Builder meterRegistry(MeterRegistry meterRegistry) {
			this.meterRegistry = Objects.requireNonNull(meterRegistry);
			return this;
		}

		/** The clock for outcome timestamps and {@code Retry-After} dates. */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock);
			return this;
		}

		public ReactorFetchClient build() {
			return new ReactorFetchClient(this);
		}

	}

}
