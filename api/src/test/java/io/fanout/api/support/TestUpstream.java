package io.fanout.api.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on 127.0.0.1 that jobs fetch from.
 * <ul>
 * <li>{@code /ok/...} answers 200 with {@code {"path": …, "tmp": 21}} at once;</li>
 * <li>{@code /status/{code}/...} answers with that status;</li>
 * <li>{@code /gate/{name}} answers 200 once {@link #open(String)} is called for the name;</li>
 * <li>{@code /never/...} never answers: the request stays open until the client closes it.</li>
 * </ul>
 * It records the values of the {@code Authorization} headers it received, and counts hanging and
 * aborted requests.
 */
public final class TestUpstream implements AutoCloseable {

	private final Map<String, Sinks.One<Boolean>> gates = new ConcurrentHashMap<>();

	private final List<String> authorizations = new CopyOnWriteArrayList<>();

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

	/** Lets the requests waiting at {@code /gate/{name}} (and later ones) through. */
	public void open(String name) {
		gate(name).tryEmitValue(true);
	}

	/** {@code Authorization} header values received, in order. */
	public List<String> authorizations() {
		return List.copyOf(this.authorizations);
	}

	/** {@code /never} requests received and still open. */
	public int hanging() {
		return this.hanging.get();
	}

	/** {@code /never} requests whose connection the client closed. */
	public int aborted() {
		return this.aborted.get();
	}

	private Sinks.One<Boolean> gate(String name) {
		return this.gates.computeIfAbsent(name, (key) -> Sinks.one());
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String authorization = request.requestHeaders().get("Authorization");
		if (authorization != null) {
			this.authorizations.add(authorization);
		}
		String path = request.uri();
		String[] parts = path.split("/");
		String kind = (parts.length > 1) ? parts[1] : "";
		switch (kind) {
			case "ok":
				return json(response, path);
			case "status":
				return response.status(Integer.parseInt(parts[2])).sendString(Mono.just("status " + parts[2])).then();
			case "gate":
				return gate(parts[2]).asMono().then(json(response, path));
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

	private static Mono<Void> json(HttpServerResponse response, String path) {
		return response.header("Content-Type", "application/json")
			.sendString(Mono.just("{\"path\":\"" + path + "\",\"tmp\":21}"))
			.then();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
	}

}
