package io.fanout.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The floor Fanout is compared with: the same requests through a bare Reactor Netty
 * {@link HttpClient} loop, {@code flatMap} at the same concurrency, bodies read, nothing stored.
 */
final class Baseline implements AutoCloseable {

	private final LoopResources loops = LoopResources.create("baseline", 1,
			Runtime.getRuntime().availableProcessors(), true, false);

	private ConnectionProvider connections = newConnections();

	private HttpClient client = HttpClient.create(this.connections).runOn(this.loops);

	private static ConnectionProvider newConnections() {
		return ConnectionProvider.builder("baseline")
			.maxConnections(20_000)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(Duration.ofMinutes(5))
			.build();
	}

	/**
	 * Closes the connections kept alive by the runs so far. Called between the baseline and Fanout's
	 * turn: the stub may open 20,000 files, and 10,000 idle baseline connections plus Fanout's own
	 * 10,000 would exhaust it.
	 */
	void closeConnections() {
		this.connections.dispose();
		this.connections = newConnections();
		this.client = HttpClient.create(this.connections).runOn(this.loops);
	}

	/** Fetches {@code count} times {@code url} at {@code concurrency}; returns the wall time. */
	Duration run(String url, int count, int concurrency) {
		AtomicLong failures = new AtomicLong();
		long start = System.nanoTime();
		Flux.range(0, count)
			.flatMap(i -> this.client.get()
				.uri(url)
				.responseSingle((response, body) -> body.asByteArray().defaultIfEmpty(new byte[0]).map(bytes -> {
					if (response.status().code() != 200) {
						failures.incrementAndGet();
					}
					return bytes.length;
				}))
				.onErrorResume(failure -> {
					failures.incrementAndGet();
					return reactor.core.publisher.Mono.just(0);
				}), concurrency)
			.blockLast(Duration.ofMinutes(10));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		if (failures.get() > 0) {
			throw new IllegalStateException(failures.get() + " of " + count + " baseline requests failed");
		}
		return took;
	}

	@Override
	public void close() {
		this.connections.dispose();
		this.loops.dispose();
	}

}
