package io.fanout.scheduler.callbacks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.CallbackPayloads;
import io.fanout.scheduler.CallbackProperties;
import io.fanout.scheduler.jobs.JobRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;

/**
 * Sends the callback outbox's due deliveries from this instance, at most
 * {@code max-concurrent-deliveries} at once. Every {@code poll-interval} it claims due deliveries
 * under a lease and sends each as a signed {@code POST} through the {@link FetchClient}, on behalf of
 * the job's owner, so that the SSRF guard, timeouts and the owner's share of upstream hosts apply as
 * to its fetches. A 2xx answer delivers; anything else is retried with exponential backoff and full
 * jitter until {@code retry-period} has passed since the first attempt, then the delivery is failed.
 * A blocked address fails it at once: it will never be reached. A delivery whose instance dies is
 * taken over when its lease runs out: delivery is at least once, under one {@code webhook-id}.
 * <p>
 * Time comes from the injected {@link Clock}; {@link #deliverDue()} is the hook tests drive.
 */
public final class CallbackWorker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(CallbackWorker.class);

	/** Most bytes of a receiver's answer read: it is not kept, only its status counts. */
	private static final long MAX_ANSWER_BYTES = 64 * 1024;

	private final DeliveryStore store;

	private final JobRepository jobs;

	private final CallbackPayloads payloads;

	private final FetchClient fetchClient;

	private final CallbackProperties properties;

	private final Clock clock;

	private final String nodeId;

	private final FetchPolicy policy;

	private final @Nullable MeterRegistry meters;

	private final AtomicInteger inFlight = new AtomicInteger();

	private volatile Disposable.Composite running = Disposables.composite();

	private volatile boolean started;

	public CallbackWorker(DeliveryStore store, JobRepository jobs, CallbackPayloads payloads, FetchClient fetchClient,
			CallbackProperties properties, Clock clock, String nodeId, @Nullable MeterRegistry meters) {
		this.store = store;
		this.jobs = jobs;
		this.payloads = payloads;
		this.fetchClient = fetchClient;
		this.properties = properties;
		this.clock = clock;
		this.nodeId = nodeId;
		this.meters = meters;
		// One attempt per claim: the retries are this worker's, durable, over hours if need be.
		this.policy = FetchPolicy.DEFAULT.withConcurrency(1)
			.withTimeout(properties.requestTimeout())
			.withRetry(RetryPolicy.NONE)
			.withRedirects(false, FetchPolicy.MAX_REDIRECTS)
			.withMaxBodySize(MAX_ANSWER_BYTES);
		// The MAC's provider is looked up once here, not first on an event loop.
		Signatures.header(List.of(new byte[32]), "msg_warm", 0, "{}");
	}

	@Override
	public void start() {
		if (this.started) {
			return;
		}
		this.started = true;
		Disposable.Composite running = Disposables.composite();
		// Claims take only free slots, so the deliveries claimed always find room in the flatMap.
		running.add(Flux.interval(Duration.ZERO, this.properties.pollInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> claim().onErrorResume((ex) -> {
				logger.warn("Looking for due callback deliveries on node " + this.nodeId + " failed: " + ex);
				return Mono.empty();
			}), 1)
			.flatMap(this::deliver, this.properties.maxConcurrentDeliveries())
			.subscribe());
		this.running = running;
	}

	@Override
	public void stop() {
		// Deliveries cut short here are sent again once their lease runs out: at least once.
		this.running.dispose();
		this.started = false;
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	/** Deliveries being sent by this instance now. */
	public int inFlight() {
		return this.inFlight.get();
	}

	/**
	 * Claims the due deliveries that free slots allow and sends them.
	 * @return how many were attempted, once every attempt is recorded
	 */
	public Mono<Integer> deliverDue() {
		return claim().flatMap((claimed) -> deliver(claimed).thenReturn(1), this.properties.maxConcurrentDeliveries())
			.reduce(0, Integer::sum);
	}

	private Flux<ClaimedDelivery> claim() {
		return Flux.defer(() -> {
			int free = Math.min(this.properties.batchSize(),
					this.properties.maxConcurrentDeliveries() - this.inFlight.get());
			if (free < 1) {
				return Flux.empty();
			}
			Instant now = this.clock.instant();
			return this.store.claim(this.nodeId, free, now, now.plus(this.properties.leaseDuration()))
				.doOnNext((claimed) -> this.inFlight.incrementAndGet());
		});
	}

	/** One attempt of a claimed delivery, recorded. Never errors. */
	private Mono<Void> deliver(ClaimedDelivery claimed) {
		CallbackDelivery delivery = claimed.delivery();
		return Mono.defer(() -> {
			List<byte[]> secrets = this.properties.secretsOf(claimed.owner());
			if (secrets.isEmpty()) {
				return record(claimed, CallbackDelivery.Status.FAILED, null, null,
						"the tenant has no signing secret (fanout.callbacks.secrets)");
			}
			return body(claimed).flatMap((body) -> send(claimed, secrets, body))
				.flatMap((outcome) -> recordOutcome(claimed, outcome))
				.switchIfEmpty(Mono.defer(() -> record(claimed, CallbackDelivery.Status.FAILED, null, null,
						"the job no longer exists")));
		}).onErrorResume((ex) -> {
			// Its lease runs out, and an instance tries again.
			logger.warn("Callback delivery " + delivery.id() + " of job " + delivery.jobId() + " failed: " + ex);
			return Mono.empty();
		}).doFinally((signal) -> this.inFlight.decrementAndGet());
	}

	/** The stored body, or, at the first attempt, the body rendered now and kept for every retry. */
	private Mono<String> body(ClaimedDelivery claimed) {
		if (claimed.body() != null) {
			return Mono.just(claimed.body());
		}
		CallbackDelivery delivery = claimed.delivery();
		return this.jobs.find(claimed.owner(), delivery.jobId())
			.map((job) -> this.payloads.render(delivery.type(), delivery.createdAt(), job))
			.flatMap((body) -> this.store.keepBody(delivery.id(), this.nodeId, body)
				.flatMap((kept) -> kept ? Mono.just(body)
						: Mono.error(new IllegalStateException("lease lost before the body was kept"))));
	}

	private Mono<FetchOutcome> send(ClaimedDelivery claimed, List<byte[]> secrets, String body) {
		String webhookId = claimed.delivery().webhookId();
		long timestamp = this.clock.instant().getEpochSecond();
		Map<String, String> headers = new LinkedHashMap<>(claimed.headers());
		headers.put("Content-Type", "application/json");
		headers.put("webhook-id", webhookId);
		headers.put("webhook-timestamp", Long.toString(timestamp));
		headers.put("webhook-signature", Signatures.header(secrets, webhookId, timestamp, body));
		FetchRequest request = new FetchRequest(claimed.url(), "POST", headers, body, Map.of());
		return this.fetchClient
			.fetchAll(List.of(request), this.policy, (index) -> true, new FetchScope(claimed.owner()))
			.next();
	}

	private Mono<Void> recordOutcome(ClaimedDelivery claimed, FetchOutcome outcome) {
		Integer status = outcome.httpStatus();
		if (status != null && status >= 200 && status < 300) {
			return record(claimed, CallbackDelivery.Status.DELIVERED, null, status, null);
		}
		FetchError error = outcome.error();
		String why = (error != null) ? outcome.kind() + ": " + error.message()
				: (status != null) ? "the receiver answered " + status : outcome.kind().toString();
		if (outcome.kind() == OutcomeKind.BLOCKED) {
			// Like a fetch to that address: refused before any connection, and it always will be.
			return record(claimed, CallbackDelivery.Status.FAILED, null, status, why);
		}
		Instant now = this.clock.instant();
		Instant giveUpAt = claimed.periodStart(now).plus(this.properties.retryPeriod());
		if (!now.isBefore(giveUpAt)) {
			return record(claimed, CallbackDelivery.Status.FAILED, null, status, why);
		}
		Instant next = now.plus(backoff(claimed.delivery().attempts() + 1));
		return record(claimed, CallbackDelivery.Status.PENDING, next.isBefore(giveUpAt) ? next : giveUpAt, status, why);
	}

	/** Full jitter: anywhere up to the exponential backoff of this attempt, capped. */
	Duration backoff(int attempt) {
		long initial = this.properties.initialBackoff().toMillis();
		long cap = this.properties.maxBackoff().toMillis();
		long exponential = (attempt >= 40) ? cap : Math.min(cap, initial << Math.max(0, attempt - 1));
		return Duration.ofMillis(ThreadLocalRandom.current().nextLong(exponential + 1));
	}

	private Mono<Void> record(ClaimedDelivery claimed, CallbackDelivery.Status status, @Nullable Instant next,
			@Nullable Integer code, @Nullable String error) {
		Instant now = this.clock.instant();
		CallbackDelivery delivery = claimed.delivery();
		return this.store
			.recordAttempt(delivery.id(), this.nodeId, status, now, claimed.periodStart(now), next, code, error)
			.doOnNext((recorded) -> {
				if (!recorded) {
					logger.info("Callback delivery " + delivery.id() + " was taken over by another instance");
					return;
				}
				count((status == CallbackDelivery.Status.PENDING) ? "retry" : status.name().toLowerCase(Locale.ROOT));
				if (status == CallbackDelivery.Status.FAILED) {
					logger.warn("Callback delivery " + delivery.id() + " (" + delivery.type() + ") of job "
							+ delivery.jobId() + " failed for good: " + error);
				}
			})
			.then();
	}

	private void count(String outcome) {
		if (this.meters != null) {
			this.meters.counter("fanout.callbacks.deliveries", "outcome", outcome).increment();
		}
	}

}
