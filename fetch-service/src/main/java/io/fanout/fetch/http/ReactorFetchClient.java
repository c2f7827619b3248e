package io.fanout.fetch.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.FetchTracing;
import io.fanout.fetch.UpstreamState;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.fetch.admission.SlotLeases;
import io.fanout.fetch.extract.Extraction;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.ConnectGuard;
import io.fanout.fetch.ssrf.GuardedAddressResolverGroup;
import io.fanout.fetch.ssrf.HostLookup;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The {@link FetchClient} on Reactor Netty's {@link HttpClient} and Resilience4j.
 * <p>
 * Each request is composed, inside out: the HTTP exchange ({@link HttpExchange}: redirects followed
 * there, each hop's address checked at connect time, the body read into the memory budget) →
 * {@link Admission}, where it waits in line, without holding a thread, for room at its host and in
 * the process → time limiter ({@code policy.timeout()}, the wait included: a request that never got
 * room ends {@code REJECTED}, nothing sent) → the circuit breaker of this tenant and host, which thus
 * counts timeouts and 5xx as failures → retry with exponential backoff, never after an open circuit
 * → mapping to a {@link FetchOutcome} ({@link Outcomes}: decoding and extraction off the event
 * loops, under a budget). The batch's own concurrency cap is {@link Concurrently}'s: requests beyond
 * it are not started at all. A request to an IP literal the SSRF rules refuse ends {@code BLOCKED}
 * before any of this: it leaves no state behind.
 */
public final class ReactorFetchClient implements FetchClient, AutoCloseable {

	private final HttpExchange exchange;

	private final HostGuards guards;

	private final Admission admission;

	private final Outcomes outcomes;

	private final FetchMetrics metrics;

	private final AddressRule addressRule;

	private final Clock clock;

	private final ConnectionProvider connections;

	private final LoopResources loops;

	private final Scheduler extraction;

	private final boolean slowDown;

	private final Tracer tracer;

	private final Propagator propagator;

	private final boolean propagate;

	private ReactorFetchClient(Builder builder) {
		this.tracer = builder.tracer;
		this.propagator = builder.propagator;
		this.propagate = builder.propagate;
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
		HttpClient http = HttpClient.create(this.connections)
			.runOn(this.loops)
			.resolver(new GuardedAddressResolverGroup(builder.hostLookup, builder.addressRule,
					Schedulers.boundedElastic()))
			.doOnChannelInit((observer, channel, remote) -> channel.pipeline().addFirst(ConnectGuard.NAME, connectGuard))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) builder.connectTimeout.toMillis())
			.followRedirect(false)
			.disableRetry(true)
			.compress(true)
			.headers(headers -> headers.set(HttpHeaderNames.USER_AGENT, builder.userAgent));
		if (builder.sslContext != null) {
			SslContext tls = builder.sslContext;
			http = http.secure(spec -> spec.sslContext(tls));
		}
		this.exchange = new HttpExchange(http, builder.crossOriginHeaders);
		this.guards = new HostGuards(builder.circuitBreakers, builder.maxHosts, builder.hostIdleExpiry);
		this.admission = Admission.builder()
			.maxInFlight(builder.maxInFlight)
			.memory(builder.memoryBudget)
			.hostSettings(builder.hostSettings)
			.slotLeases(builder.slotLeases)
			.keys(builder.maxHosts, builder.hostIdleExpiry)
			.minThrottleRate(builder.minThrottleRate)
			.timer(builder.rateTimer, builder.rateClock)
			.build();
		// Extraction is CPU work: a thread per core, and a queue as long as the requests that may be in flight.
		this.extraction = Schedulers.newBoundedElastic(builder.extractionThreads, builder.maxInFlight + 1000,
				"fanout-extract", 60, true);
		this.outcomes = new Outcomes(this.extraction, builder.extractionTimeout, builder.maxExtractionInput);
		this.extraction.schedule(Extraction::warmUp);
		this.metrics = new FetchMetrics(builder.meterRegistry, builder.namedHosts, builder.maxHostTags);
		this.addressRule = builder.addressRule;
		this.clock = builder.clock;
		this.slowDown = builder.slowDown;
		Gauge.builder("fanout.fetch.memory.held", this.admission, Admission::memoryHeld)
			.description("Bytes of response bodies held in the memory budget")
			.baseUnit("bytes")
			.register(builder.meterRegistry);
		Gauge.builder("fanout.fetch.hosts.kept", this.admission, Admission::hostsKept)
			.description("Upstream hosts whose state is kept")
			.register(builder.meterRegistry);
		Gauge.builder("fanout.fetch.breakers.open", this.guards, HostGuards::open)
			.description("Circuit breakers of a tenant and host that are open")
			.register(builder.meterRegistry);
		Gauge.builder("fanout.fetch.paced.waiting", this.admission, Admission::pacedWaiting)
			.description("Requests waiting for their slot under a rate: of a job, a flow key or a host")
			.register(builder.meterRegistry);
		Gauge.builder("fanout.fetch.hosts.slowed", this.admission, Admission::hostsSlowedDown)
			.description("Hosts slowed down after answering 429 or 503")
			.register(builder.meterRegistry);
	}

	/** A builder with production defaults: SSRF rule strict, pool of 10,000 connections per host. */
	public static Builder builder() {
		return new Builder();
	}

	/** Where requests wait for their turn, for read-only views. */
	public Admission admission() {
		return this.admission;
	}

	/** How many tenant and host breakers are kept now. */
	public int breakersKept() {
		return this.guards.size();
	}

	/**
	 * The circuit breaker of {@code scope}'s requests to {@code host} (lower case), if one is kept:
	 * for operators' views and tests. It is made on a first request that reaches admission.
	 */
	public Optional<CircuitBreaker> breaker(FetchScope scope, String host) {
		return Optional.ofNullable(this.guards.find(scope, host));
	}

	@Override
	public List<UpstreamState> upstreams(FetchScope scope) {
		List<UpstreamState> states = new ArrayList<>();
		this.guards.of(scope).forEach((host, breaker) -> {
			CircuitBreaker.Metrics metrics = breaker.getMetrics();
			Admission.HostSettings settings = this.admission.settings(host);
			double slowedDownTo = this.admission.slowDown(host);
			states.add(new UpstreamState(host, breaker.getState().name(), rate(metrics.getFailureRate()),
					rate(metrics.getSlowCallRate()), metrics.getNumberOfSuccessfulCalls(),
					metrics.getNumberOfFailedCalls(), metrics.getNumberOfNotPermittedCalls(),
					this.admission.inFlight(host), this.admission.waiting(host), settings.maxConcurrency(),
					(settings.rate() != null) ? settings.rate().perSecond() : null,
					(slowedDownTo > 0) ? slowedDownTo : null));
		});
		return states;
	}

	/** Resilience4j reports -1 for a rate until the window holds its minimum number of calls. */
	private static @Nullable Float rate(float rate) {
		return (rate < 0) ? null : rate;
	}

	@Override
	public Flux<FetchOutcome> fetchAll(List<FetchRequest> requests, FetchPolicy policy, IntPredicate include,
			FetchScope scope) {
		Objects.requireNonNull(requests, "requests");
		Objects.requireNonNull(policy, "policy");
		Objects.requireNonNull(include, "include");
		Objects.requireNonNull(scope, "scope");
		return Flux.defer(() -> {
			int size = requests.size();
			BitSet finished = new BitSet(size);
			// Rules are parsed once per batch, whatever the number of requests that share them.
			Map<Map<String, String>, Extraction.Rules> rules = new ConcurrentHashMap<>();
			// A body stays counted in the memory budget until its outcome is handed to the subscriber:
			// outcomes waiting for demand hold their bodies too.
			Map<Integer, MemoryHold> holds = new ConcurrentHashMap<>();
			Admission.BatchPace pace = this.admission.batchPace(policy);
			PrimitiveIterator.OfInt indexes = IntStream.range(0, size).filter(include).iterator();
			Flux<FetchOutcome> outcomes = Concurrently.run(indexes, policy.concurrency(), index -> {
				FetchRequest request = Objects.requireNonNull(requests.get(index), "request");
				MemoryHold memory = new MemoryHold(this.admission);
				holds.put(index, memory);
				return fetchOne(index, request, rules.computeIfAbsent(request.extract(), Extraction::compile), policy,
						scope, pace, memory);
			}).doOnNext(outcome -> {
				finished.set(outcome.index());
				MemoryHold delivered = holds.remove(outcome.index());
				if (delivered != null) {
					delivered.release();
				}
			}).doFinally((signal) -> holds.values().forEach(MemoryHold::release));
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

	private Mono<FetchOutcome> fetchOne(int index, FetchRequest request, Extraction.Rules rules, FetchPolicy policy,
			FetchScope scope, Admission.@Nullable BatchPace pace, MemoryHold memory) {
		String host = HttpExchange.host(request.url());
		if (this.tracer == Tracer.NOOP) {
			return fetchUntraced(index, request, host, rules, policy, scope, pace, memory);
		}
		return Mono.deferContextual((context) -> {
			TraceContext parent = FetchTracing.parent(context);
			return (parent == null) ? fetchUntraced(index, request, host, rules, policy, scope, pace, memory)
					: fetchTraced(parent, index, request, host, rules, policy, scope, pace, memory);
		});
	}

	/**
	 * The request under a span of its own, a child of the batch's: its host, method and outcome, never
	 * the URL's path or query nor any header. With {@code propagate}, the request carries the span's
	 * context upstream ({@code traceparent}), unless the job set that header itself.
	 */
	private Mono<FetchOutcome> fetchTraced(TraceContext parent, int index, FetchRequest request, String host,
			Extraction.Rules rules, FetchPolicy policy, FetchScope scope, Admission.@Nullable BatchPace pace,
			MemoryHold memory) {
		Span span = this.tracer.spanBuilder()
			.setParent(parent)
			.name("fanout.fetch.request")
			.kind(Span.Kind.CLIENT)
			.tag("server.address", host)
			.tag("http.request.method", request.method())
			.start();
		FetchRequest sent = this.propagate ? withTraceContext(request, span.context()) : request;
		return fetchUntraced(index, sent, host, rules, policy, scope, pace, memory).doOnNext((outcome) -> {
			span.tag("fanout.outcome", outcome.kind().name());
			span.tag("fanout.attempts", outcome.attempts());
			if (outcome.httpStatus() != null) {
				span.tag("http.response.status_code", outcome.httpStatus());
			}
			if (outcome.error() != null) {
				span.tag("error.type", outcome.error().kind().name());
			}
		}).doFinally((signal) -> {
			if (signal == SignalType.CANCEL) {
				span.tag("fanout.outcome", "CANCELLED");
			}
			span.end();
		});
	}

	private FetchRequest withTraceContext(FetchRequest request, TraceContext context) {
		if (request.headers().keySet().stream().anyMatch((name) -> name.equalsIgnoreCase("traceparent"))) {
			return request;
		}
		Map<String, String> headers = new LinkedHashMap<>(request.headers());
		this.propagator.inject(context, headers, (carrier, name, value) -> {
			if (carrier != null) {
				carrier.put(name, value);
			}
		});
		return new FetchRequest(request.url(), request.method(), headers, request.body(), request.extract());
	}

	private Mono<FetchOutcome> fetchUntraced(int index, FetchRequest request, String host, Extraction.Rules rules,
			FetchPolicy policy, FetchScope scope, Admission.@Nullable BatchPace pace, MemoryHold memory) {
		return Mono.defer(() -> {
			Instant startedAt = this.clock.instant();
			long start = System.nanoTime();
			if (isRefusedLiteral(host)) {
				this.outcomes.logRefused(host + " refused: the address is not allowed");
				return Mono.just(new FetchOutcome(index, OutcomeKind.BLOCKED, null, 0, startedAt, Duration.ZERO, null, 0,
						rules.nothing(), new FetchError(ErrorKind.ADDRESS_BLOCKED, Failures.DESTINATION_NOT_ALLOWED)))
					.doOnNext(outcome -> this.metrics.recordOutcome(host, outcome));
			}
			AtomicInteger attempts = new AtomicInteger();
			Call call = new Call(request, policy, scope, pace, this.guards.breaker(scope, host), host, attempts, memory);
			return attemptWithRetries(call, 0)
				.flatMap(response -> this.outcomes.ofResponse(index, rules, response, attempts.get(), startedAt, start,
						null))
				.onErrorResume(failure -> responseOf(failure)
					.map((response) -> this.outcomes.ofResponse(index, rules, response, attempts.get(), startedAt, start,
							errorOfResponse(failure)))
					.orElseGet(() -> Mono.just(this.outcomes.ofFailure(index, rules, failure, attempts.get(), startedAt,
							start))))
				.doOnNext(outcome -> {
					if (outcome.kind() == OutcomeKind.BLOCKED && outcome.attempts() == 0) {
						// It never reached the host: keep no state for it.
						this.guards.forget(scope, host);
						this.admission.forget(host);
					}
					this.metrics.recordOutcome(host, outcome);
				})
				// An outcome made keeps its body's room until it is delivered; otherwise nothing is kept.
				.doFinally((signal) -> {
					if (signal != SignalType.ON_COMPLETE) {
						memory.release();
					}
				});
		});
	}

	/**
	 * One attempt, with its guards, in the order the class comment gives: its turn (rates, flow key,
	 * tenant; waited for as long as it takes), then under the circuit breaker and the timeout, room at
	 * the host and in the process, then the exchange.
	 */
	private Mono<RawResponse> attempt(Call call) {
		AtomicBoolean sent = new AtomicBoolean();
		Mono<RawResponse> exchange = Mono.defer(() -> {
			sent.set(true);
			call.attempts().incrementAndGet();
			// Whatever a previous attempt's body held goes back first.
			call.memory().release();
			FetchRequest request = call.request();
			return this.exchange.send(request.method(), request.url(), request.headers(), request.body(),
					call.policy(), call.memory());
		}).flatMap(response -> {
			if (this.slowDown && (response.status() == 429 || response.status() == 503)) {
				// The host says it is overloaded: every batch slows down for it, not only this request. It
				// pauses no longer than this request will wait before it retries: a host cannot ask for an
				// hour's silence from every tenant.
				Duration retryAfter = Backoff.parseRetryAfter(response.retryAfter(), this.clock.instant());
				Duration maxBackoff = call.policy().retry().maxBackoff();
				this.admission.refused(call.host(),
						(retryAfter != null && retryAfter.compareTo(maxBackoff) > 0) ? maxBackoff : retryAfter);
				this.metrics.recordThrottled(call.host());
			}
			return isRetryableStatus(response.status()) ? Mono.error(new RetryableStatusException(response))
					: Mono.just(response);
		});
		Mono<RawResponse> admitted = Mono.usingWhen(this.admission.admit(call.host()), permit -> exchange,
				Admission.Permit::releasing, (permit, failure) -> permit.releasing(), Admission.Permit::releasing);
		Mono<RawResponse> guarded = admitted.timeout(call.policy().timeout())
			.onErrorMap(TimeoutException.class, timeout -> sent.get() ? timeout
					: new RejectedException("no room at " + call.host() + " for " + call.policy().timeout().toMillis()
							+ " ms; nothing was sent"))
			.transformDeferred(CircuitBreakerOperator.of(call.breaker()));
		return Mono.usingWhen(this.admission.turn(call.host(), call.scope(), call.policy(), call.pace()), permit -> {
			long waited = permit.waitedNanos();
			if (waited > 0) {
				this.metrics.recordTurnWait(call.host(), waited);
			}
			return guarded;
		}, Admission.Permit::releasing, (permit, failure) -> permit.releasing(), Admission.Permit::releasing);
	}

	/**
	 * Attempts until one succeeds or the retry policy says stop. A retry is built only when an
	 * attempt fails: the common case, a first attempt that succeeds, pays for nothing more.
	 */
	private Mono<RawResponse> attemptWithRetries(Call call, long retriesSoFar) {
		return attempt(call).onErrorResume(failure -> {
			RetryPolicy retry = call.policy().retry();
			Failures.Classification kind = Failures.classify(failure);
			if (retriesSoFar + 1 >= retry.maxAttempts() || kind.retryOn() == null
					|| !retry.retryOn().contains(kind.retryOn())) {
				return Mono.error(failure);
			}
			this.metrics.recordRetry(call.host());
			String retryAfter = (failure instanceof RetryableStatusException status) ? status.response().retryAfter()
					: null;
			return Mono.delay(Backoff.delay(retry, retriesSoFar, retryAfter, this.clock.instant()))
				.then(Mono.defer(() -> attemptWithRetries(call, retriesSoFar + 1)));
		});
	}

	/** What every attempt of one request shares. */
	private record Call(FetchRequest request, FetchPolicy policy, FetchScope scope, Admission.@Nullable BatchPace pace,
			CircuitBreaker breaker, String host, AtomicInteger attempts, MemoryHold memory) {
	}

	/** The response a failure carries, for failures that are responses: a retryable status, a bad redirect. */
	private static Optional<RawResponse> responseOf(Throwable failure) {
		if (failure instanceof RetryableStatusException status) {
			return Optional.of(status.response());
		}
		if (failure instanceof RedirectException redirect) {
			return Optional.of(redirect.response());
		}
		return Optional.empty();
	}

	private static FetchError errorOfResponse(Throwable failure) {
		ErrorKind kind = (failure instanceof RedirectException) ? ErrorKind.PROTOCOL : ErrorKind.HTTP_STATUS;
		return new FetchError(kind, Failures.classify(failure).message());
	}

	/** Whether the host is an IP literal the SSRF rules refuse: then nothing needs to be tried. */
	private boolean isRefusedLiteral(String host) {
		String literal = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		byte[] address = NetUtil.createByteArrayFromIpAddressString(literal);
		if (address == null) {
			return false;
		}
		try {
			return !this.addressRule.permits(InetAddress.getByAddress(address));
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static boolean isRetryableStatus(int status) {
		return status >= 500 || status == 408 || status == 429;
	}

	/** Releases the connection pool, the event loops and the extraction threads. */
	@Override
	public void close() {
		this.connections.dispose();
		this.loops.dispose();
		this.extraction.dispose();
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

		private MemoryBudget memoryBudget = MemoryBudget.UNLIMITED;

		private Function<String, Admission.HostSettings> hostSettings = (host) -> new Admission.HostSettings(10_000,
				null);

		private @Nullable SlotLeases slotLeases;

		private boolean slowDown = true;

		private double minThrottleRate = 1;

		private Scheduler rateTimer = Schedulers.parallel();

		private LongSupplier rateClock = System::nanoTime;

		private int maxHosts = 10_000;

		private Duration hostIdleExpiry = Duration.ofMinutes(10);

		private Set<String> crossOriginHeaders = Set.of("accept", "accept-language", "content-type", "user-agent");

		private int extractionThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

		private Tracer tracer = Tracer.NOOP;

		private Propagator propagator = Propagator.NOOP;

		private boolean propagate;

		private Duration extractionTimeout = Duration.ofSeconds(1);

		private long maxExtractionInput = 4 * 1024 * 1024;

		private Set<String> namedHosts = Set.of();

		private int maxHostTags = 50;

		private String userAgent = "Fanout";

		private @Nullable SslContext sslContext;

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

		/** The bytes of response bodies held at once, all batches together, beyond a few KiB each. */
		public Builder memoryBudget(MemoryBudget memoryBudget) {
			this.memoryBudget = Objects.requireNonNull(memoryBudget);
			return this;
		}

		/**
		 * Most requests in flight to one host, all batches together, by host name (lower case);
		 * requests beyond it wait their turn within their timeout.
		 */
		public Builder hostConcurrency(ToIntFunction<String> hostConcurrency) {
			Objects.requireNonNull(hostConcurrency);
			this.hostSettings = (host) -> new Admission.HostSettings(hostConcurrency.applyAsInt(host), null);
			return this;
		}

		/**
		 * The concurrency and rate of each host, by host name (lower case): requests beyond the
		 * concurrency wait their turn within their timeout; the rate paces them, for every batch.
		 */
		public Builder hostSettings(Function<String, Admission.HostSettings> hostSettings) {
			this.hostSettings = Objects.requireNonNull(hostSettings);
			return this;
		}

		/** Where host and flow-key rates are shared with other replicas; null (the default) to keep them here. */
		public Builder slotLeases(@Nullable SlotLeases slotLeases) {
			this.slotLeases = slotLeases;
			return this;
		}

		/**
		 * Whether a host that answers 429 or 503 is slowed down for every batch, and the slowest it is
		 * slowed down to, requests per second.
		 */
		public Builder slowDown(boolean enabled, double minRate) {
			this.slowDown = enabled;
			this.minThrottleRate = minRate;
			return this;
		}

		/** The timer and clock that rates run on: a virtual-time scheduler in tests. */
		public Builder rateTimer(Scheduler timer, LongSupplier nanoTime) {
			this.rateTimer = Objects.requireNonNull(timer);
			this.rateClock = Objects.requireNonNull(nanoTime);
			return this;
		}

		/** Most hosts (and tenant and host pairs) whose state is kept while idle, and for how long. */
		public Builder hostState(int maxHosts, Duration idleExpiry) {
			this.maxHosts = maxHosts;
			this.hostIdleExpiry = Objects.requireNonNull(idleExpiry);
			return this;
		}

		/** Headers, by name in any case, that follow a redirect to another origin. */
		public Builder crossOriginHeaders(Set<String> names) {
			this.crossOriginHeaders = names.stream()
				.map((name) -> name.toLowerCase(Locale.ROOT))
				.collect(Collectors.toUnmodifiableSet());
			return this;
		}

		/** Threads that decode bodies and apply rules, how long one body may take, and how large it may be. */
		public Builder extraction(int threads, Duration timeout, long maxInput) {
			this.extractionThreads = threads;
			this.extractionTimeout = Objects.requireNonNull(timeout);
			this.maxExtractionInput = maxInput;
			return this;
		}

		/** Hosts always tagged in metrics, and how many others may be. */
		public Builder hostTags(Set<String> namedHosts, int maxOthers) {
			this.namedHosts = Set.copyOf(namedHosts);
			this.maxHostTags = maxOthers;
			return this;
		}

		/**
		 * Spans of upstream requests, for batches fetched under a parent span ({@link FetchTracing}).
		 * With {@code propagate}, requests carry their span's context upstream ({@code traceparent}).
		 */
		public Builder tracing(Tracer tracer, Propagator propagator, boolean propagate) {
			this.tracer = Objects.requireNonNull(tracer);
			this.propagator = Objects.requireNonNull(propagator);
			this.propagate = propagate;
			return this;
		}

		/** The {@code User-Agent} sent upstream unless a request sets its own. */
		public Builder userAgent(String userAgent) {
			this.userAgent = userAgent;
			return this;
		}

		/**
		 * The TLS settings of {@code https} requests, such as the certificates trusted: for an upstream
		 * whose certificate a private authority signed, and for tests. The JDK's defaults otherwise.
		 */
		public Builder sslContext(SslContext sslContext) {
			this.sslContext = Objects.requireNonNull(sslContext);
			return this;
		}

		/** Where the circuit breakers' settings come from (by host, else the default). */
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
