package io.fanout.fetch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on a loopback address for fetch tests. It counts what it sees: connections
 * opened and closed, requests per path, requests in flight and the most ever in flight.
 */
final class TestUpstream implements AutoCloseable {

	static final String WEATHER = "{\"current_condition\":{\"tmp\":21,\"desc\":\"Sunny\"},\"tags\":[\"a\",\"b\"]}";

	static final String PAGE = "<html><head><title>Fanout</title></head><body>"
			+ "<h1 class=\"title\">Hello, scraper</h1><a class=\"next\" href=\"/page/2\">next</a></body></html>";

	final AtomicInteger connectionsOpened = new AtomicInteger();

	final AtomicInteger connectionsClosed = new AtomicInteger();

	final AtomicInteger inFlight = new AtomicInteger();

	final AtomicInteger maxInFlight = new AtomicInteger();

	final AtomicLong bytesSent = new AtomicLong();

	private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

	private final DisposableServer server;

	private TestUpstream(String host) {
		this.server = HttpServer.create()
			.host(host)
			.port(0)
			// Per channel: the server's doOnConnection runs once per request on a kept-alive connection.
			.doOnChannelInit((observer, channel, remote) -> {
				this.connectionsOpened.incrementAndGet();
				channel.closeFuture().addListener(closed -> this.connectionsClosed.incrementAndGet());
			})
			.handle(this::handle)
			.bindNow(Duration.ofSeconds(10));
	}

	/** A server on 127.0.0.1. */
	static TestUpstream start() {
		return new TestUpstream("127.0.0.1");
	}

	/** A server on the given loopback address ({@code 127.0.0.2}, {@code ::1}). */
	static TestUpstream startOn(String host) {
		return new TestUpstream(host);
	}

	int port() {
		return this.server.port();
	}

	/** A URL on this server, e.g. {@code url("/sleep/100")}. */
	String url(String path) {
		String host = this.server.host();
		return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path;
	}

	int hits(String path) {
		AtomicInteger count = this.hits.get(path);
		return (count != null) ? count.get() : 0;
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String path = request.uri();
		int count = this.hits.computeIfAbsent(path, key -> new AtomicInteger()).incrementAndGet();
		int now = this.inFlight.incrementAndGet();
		this.maxInFlight.accumulateAndGet(now, Math::max);
		java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
		Runnable release = () -> {
			if (released.compareAndSet(false, true)) {
				this.inFlight.decrementAndGet();
			}
		};
		return route(path, count, request, response, release).doFinally(signal -> release.run());
	}

	/**
	 * Routes a request. {@code release} ends its in-flight count; slow routes call it before they
	 * answer, since the client may see the answer (and send its next request) before the server's
	 * own completion callback runs.
	 */
	private Mono<Void> route(String path, int count, HttpServerRequest request, HttpServerResponse response,
			Runnable release) {
		String[] parts = path.split("[/?]");
		String first = (parts.length > 1) ? parts[1] : "";
		switch (first) {
			case "sleep": {
				long millis = Long.parseLong(parts[2]);
				return Mono.delay(Duration.ofMillis(millis))
					.then(Mono.fromRunnable(release))
					.then(text(response, "slept " + millis));
			}
			case "never":
				return Mono.never();
			case "status":
				return response.status(Integer.parseInt(parts[2])).sendString(Mono.just("status " + parts[2])).then();
			case "flaky":
				// 503 on the first call of each distinct path, then 200.
				return (count == 1) ? response.status(503).sendString(Mono.just("try again")).then()
						: text(response, "recovered");
			case "throttled":
				return (count == 1) ? response.status(429).header("Retry-After", parts[2]).send().then()
						: text(response, "welcome back");
			case "json":
				return response.header("Content-Type", "application/json").sendString(Mono.just(WEATHER)).then();
			case "html":
				return response.header("Content-Type", "text/html; charset=utf-8").sendString(Mono.just(PAGE)).then();
			case "image":
				return response.header("Content-Type", "image/png")
					.sendByteArray(Mono.just(new byte[] { (byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3 }))
					.then();
			case "big":
				return big(response, Integer.parseInt(parts[2]), parts.length > 3 && parts[3].equals("declared"));
			case "redirect":
				return response.status(HttpResponseStatus.FOUND)
					.header("Location", request.param("to") != null ? request.param("to") : decodeTo(path))
					.send()
					.then();
			case "echo":
				return request.receive().aggregate().asString().defaultIfEmpty("").flatMap(body -> text(response,
						request.method().name() + " " + body + " ua=" + request.requestHeaders().get("User-Agent")
								+ " auth=" + request.requestHeaders().get("Authorization")));
			default:
				return text(response, "ok");
		}
	}

	private static String decodeTo(String path) {
		int index = path.indexOf("to=");
		return java.net.URLDecoder.decode(path.substring(index + 3), StandardCharsets.UTF_8);
	}

	private Mono<Void> big(HttpServerResponse response, int mebibytes, boolean declared) {
		byte[] chunk = new byte[64 * 1024];
		int chunks = mebibytes * 16;
		if (declared) {
			response.header("Content-Length", Long.toString((long) chunks * chunk.length));
		}
		return response.header("Content-Type", "application/octet-stream")
			.send(Flux.range(0, chunks).map(i -> {
				this.bytesSent.addAndGet(chunk.length);
				return Unpooled.wrappedBuffer(chunk);
			}), buffer -> true)
			.then();
	}

	private static Mono<Void> text(HttpServerResponse response, String body) {
		return response.header("Content-Type", "text/plain; charset=utf-8").sendString(Mono.just(body)).then();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
