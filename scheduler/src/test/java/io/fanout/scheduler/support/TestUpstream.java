package io.fanout.scheduler.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on 127.0.0.1 that jobs fetch from. It counts requests per path and, for
 * requests it never answers, how many are open and how many the client aborted.
 * <ul>
 * <li>{@code /ok/...} answers 200 with a small JSON body at once;</li>
 * <li>{@code /status/{code}/...} answers with that status;</li>
 * <li>{@code /gate/{name}/...} answers 200 once {@link #open(String)} was called for the name;</li>
 * <li>{@code /never/...} never answers: the request stays open until the client closes it.</li>
 * </ul>
 */
public final class TestUpstream implements AutoCloseable {

	private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

	private final Map<String, Sinks.One<Boolean>> gates = new ConcurrentHashMap<>();

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger hanging = new AtomicInteger();

	private final AtomicInteger aborted = new AtomicInteger();

	private final DisposableServer server;

	public TestUpstream() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow(Duration.ofSeconds(10));
	}

	/** A URL of this server, e.g. {@code url("/ok/1")}. */
	public String url(String path) {
		return "http://127.0.0.1:" + this.server.port() + path;
	}

	/** Lets the requests waiting at {@code /gate/{name}/...} (and later ones) through. */
	public void open(String name) {
		gate(name).tryEmitValue(true);
	}

	/** How many requests this path received. */
	public int hits(String path) {
		AtomicInteger count = this.hits.get(path);
		return (count != null) ? count.get() : 0;
	}

	/** How many requests were received, all paths together. */
	public int requests() {
		return this.requests.get();
	}

	/** {@code /never} requests received and still open. */
	public int hanging() {
		return this.hanging.get();
	}

	/** {@code /never} requests whose connection the client closed. */
	public int aborted() {
		return this.aborted.get();
	}

	/** Paths that were requested more than once. */
	public Map<String, Integer> repeated() {
		Map<String, Integer> repeated = new ConcurrentHashMap<>();
		this.hits.forEach((path, count) -> {
			if (count.get() > 1) {
				repeated.put(path, count.get());
			}
		});
		return repeated;
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String path = request.uri();
		this.hits.computeIfAbsent(path, (key) -> new AtomicInteger()).incrementAndGet();
		this.requests.incrementAndGet();
		String[] parts = path.split("/");
		String kind = (parts.length > 1) ? parts[1] : "";
		switch (kind) {
			case "ok":
				return response.header("Content-Type", "application/json")
					.sendString(Mono.just("{\"path\":\"" + path + "\",\"tmp\":21}"))
					.then();
			case "status":
				return response.status(Integer.parseInt(parts[2])).sendString(Mono.just("status " + parts[2])).then();
			case "gate":
				return gate(parts[2]).asMono()
					.then(response.header("Content-Type", "application/json")
						.sendString(Mono.just("{\"path\":\"" + path + "\",\"tmp\":21}"))
						.then());
			case "never":
				this.hanging.incrementAndGet();
				request.withConnection((connection) -> connection.onDispose(() -> {
					this.hanging.decrementAndGet();
					this.aborted.incrementAndGet();
				}));
				return Mono.never();
			default:
				return response.status(404).send();
		}
	}

	private Sinks.One<Boolean> gate(String name) {
		return this.gates.computeIfAbsent(name, (key) -> Sinks.one());
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
	}

}
