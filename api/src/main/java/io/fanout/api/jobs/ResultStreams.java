package io.fanout.api.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * What every live result stream is held to, whatever its format: at most
 * {@code max-per-tenant} open per tenant on this instance, a maximum lifetime after which it ends
 * cleanly, and heartbeats while it is silent. Timers are cancelled off the event loops.
 */
@Component
@EnableConfigurationProperties(StreamProperties.class)
class ResultStreams {

	private final StreamProperties properties;

	/** Open streams by tenant; a tenant without any has no entry, so the map holds active tenants only. */
	private final Map<String, Integer> open = new ConcurrentHashMap<>();

	ResultStreams(StreamProperties properties, ObjectProvider<MeterRegistry> meters) {
		this.properties = properties;
		// Summed over tenants: a tag per tenant would grow with every tenant that ever streamed.
		meters.ifAvailable((registry) -> Gauge.builder("fanout.api.streams.open", this,
				ResultStreams::totalOpen)
			.description("Live result streams (NDJSON and SSE) open on this instance")
			.register(registry));
	}

	private double totalOpen() {
		return this.open.values().stream().mapToInt(Integer::intValue).sum();
	}

	/**
	 * The stream {@code body} makes, counted against the tenant's limit from subscription until it ends
	 * however it ends. Past the limit, fails with {@link TooManyStreamsException} before anything is
	 * sent.
	 * @param body given whether the stream will have been cut by its maximum lifetime when it ends: the
	 * events, cut at that lifetime, and then what ends the stream
	 */
	<T> Flux<T> open(String tenant, Function<Lifetime, Flux<T>> body, Supplier<T> heartbeat) {
		return Flux.using(() -> acquire(tenant), (held) -> withHeartbeats(body.apply(new Lifetime()), heartbeat),
				(held) -> release(tenant))
			// A client gone cancels on an event loop; cancelling timers takes a lock, which must not park one.
			.cancelOn(Schedulers.boundedElastic());
	}

	/** How many streams the tenant holds open now. */
	int openStreams(String tenant) {
		return this.open.getOrDefault(tenant, 0);
	}

	private String acquire(String tenant) {
		int limit = this.properties.maxPerTenant();
		AtomicBoolean refused = new AtomicBoolean();
		this.open.compute(tenant, (key, count) -> {
			int current = (count != null) ? count : 0;
			if (current >= limit) {
				refused.set(true);
				return count;
			}
			return current + 1;
		});
		if (refused.get()) {
			throw new TooManyStreamsException(limit, this.properties.retryAfter());
		}
		return tenant;
	}

	private void release(String tenant) {
		this.open.computeIfPresent(tenant, (key, count) -> (count > 1) ? count - 1 : null);
	}

	/**
	 * {@code source}, with a heartbeat at every {@code heartbeat-interval} tick that follows one without
	 * an element: a silent stream sends one every interval or two. One timer per stream, never restarted,
	 * so a busy stream costs no timer work per element.
	 */
	private <T> Flux<T> withHeartbeats(Flux<T> source, Supplier<T> heartbeat) {
		Duration every = this.properties.heartbeatInterval();
		AtomicBoolean sent = new AtomicBoolean();
		return source.doOnNext((element) -> sent.set(true)).publish((shared) -> {
			Mono<Boolean> ended = shared.then(Mono.just(Boolean.TRUE)).onErrorReturn(Boolean.TRUE);
			Flux<T> beats = Flux.interval(every, every)
				.onBackpressureDrop()
				.cancelOn(Schedulers.boundedElastic())
				.filter((tick) -> !sent.getAndSet(false))
				.map((tick) -> heartbeat.get())
				.takeUntilOther(ended);
			return Flux.merge(shared, beats);
		});
	}

	/** One stream's maximum lifetime: cuts its events, and tells afterwards whether it did. */
	final class Lifetime {

		private final AtomicBoolean expired = new AtomicBoolean();

		/** {@code events} until the stream's maximum lifetime has passed. */
		<E> Flux<E> limit(Flux<E> events) {
			return events.cancelOn(Schedulers.boundedElastic())
				.takeUntilOther(Mono.delay(ResultStreams.this.properties.maxLifetime())
					.doOnNext((tick) -> this.expired.set(true))
					.flux()
					.cancelOn(Schedulers.boundedElastic()));
		}

		/** Whether the lifetime cut the events short. */
		boolean expired() {
			return this.expired.get();
		}

	}

}
