package io.fanout.test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real HTTP server on a loopback address for tests to fetch from. It counts what it sees:
 * connections opened and closed, requests in all and per path (with its query), requests in flight
 * and the most ever in flight, bytes of large bodies sent, {@code /never} requests still open and
 * aborted; and it records the {@code Authorization} headers it received, and when each request
 * arrived (for rates: {@link #mostInAnyWindow}, {@link #span}). Routes, by the path without
 * its query:
 * <ul>
 * <li>{@code /ok} answers 200 {@code ok} as text; {@code /ok/...} answers 200
 * {@code {"path": …, "tmp": 21}} as JSON;</li>
 * <li>{@code /status/{code}/...} answers with that status and {@code status {code}};</li>
 * <li>{@code /gate/{name}/...} answers like {@code /ok/...} once {@link #open(String)} was called for
 * the name;</li>
 * <li>{@code /never/...} never answers: the request stays open until the client closes it;</li>
 * <li>{@code /sleep/{millis}} answers {@code slept {millis}} after that long;</li>
 * <li>{@code /flaky/...} answers 503 to the first request of each distinct path, then 200
 * {@code recovered};</li>
 * <li>{@code /throttled/{seconds}} answers 429 with that {@code Retry-After} to the first request of
 * each distinct path, then 200 {@code welcome back};</li>
 * <li>{@code /limited/{perSecond}[/retry-after]/...} answers like {@code /ok/...} while fewer than
 * {@code perSecond} requests of all {@code /limited} paths were answered in the last second, and 429
 * otherwise (with {@code Retry-After: 1} if asked), recording when it refused;</li>
 * <li>{@code /json}, {@code /html} and {@code /image} answer a small weather document, a small page
 * and a few bytes of PNG;</li>
 * <li>{@code /hostile} answers JSON whose {@code value} and {@code script} are HTML that would run
 * script if a page rendered them as markup;</li>
 * <li>{@code /big/{mebibytes}[/declared][/text]} streams that many MiB, with a {@code Content-Length}
 * if declared, as text if asked (else as bytes);</li>
 * <li>{@code /redirect?to={url}} answers 302 to the URL;</li>
 * <li>{@code /echo} answers the method, the body and the {@code User-Agent}, {@code Authorization} and
 * {@code traceparent} headers;</li>
 * <li>any other path answers 404.</li>
 * </ul>
 */
public final class TestUpstream implements AutoCloseable {

	private static final String WEATHER = "{\"current_condition\":{\"tmp\":21,\"desc\":\"Sunny\"},\"tags\":[\"a\",\"b\"]}";

	/** Values that would run script if a page put them in its markup. */
	private static final String HOSTILE = "{\"value\":\"<img src=x onerror=alert(1)>\","
			+ "\"script\":\"<script>alert(2)</script>\"}";

	private static final String PAGE = "<html><head><title>Fanout</title></head><body>"
			+ "<h1 class=\"title\">Hello, scraper</h1><a class=\"next\" href=\"/page/2\">next</a></body></html>";

	private final AtomicInteger connectionsOpened = new AtomicInteger();

	private final AtomicInteger connectionsClosed = new AtomicInteger();

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger maxInFlight = new AtomicInteger();

	private final AtomicLong bytesSent = new AtomicLong();

	private final AtomicInteger hanging = new AtomicInteger();

	private final AtomicInteger aborted = new AtomicInteger();

	private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

	private final Map<String, Sinks.One<Boolean>> gates = new ConcurrentHashMap<>();

	private final List<String> authorizations = new CopyOnWriteArrayList<>();

	private final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();

	/** When {@code /limited} requests were answered 200, within the last second; guarded by itself. */
	private final Deque<Long> limitedAnswered = new ArrayDeque<>();

	private final List<Long> refusedByRate = new CopyOnWriteArrayList<>();

	private final DisposableServer server;

	/** A server on 127.0.0.1. */
	public TestUpstream() {
		this("127.0.0.1");
	}

	/** A server on the given loopback address ({@code 127.0.0.2}, {@code ::1}). */
	public TestUpstream(String host) {
		this.server = HttpServer.create()
			.host(host)
			.port(0)
			// Per channel: the server's doOnConnection runs once per request on a kept-alive connection.
			.doOnChannelInit((observer, channel, remote) -> {
				this.connectionsOpened.incrementAndGet();
				channel.closeFuture().addListener((closed) -> this.connectionsClosed.incrementAndGet());
			})
			.handle(this::handle)
			.bindNow(Duration.ofSeconds(10));
	}

	public int port() {
		return this.server.port();
	}

	/** A URL on this server, e.g. {@code url("/ok/1")}. */
	public String url(String path) {
		String host = this.server.host();
		return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path;
	}

	/** Lets the requests waiting at {@code /gate/{name}/...} (and later ones) through. */
	public void open(String name) {
		gate(name).tryEmitValue(true);
	}

	/** How many requests this path (with its query) received. */
	public int hits(String path) {
		AtomicInteger count = this.hits.get(path);
		return (count != null) ? count.get() : 0;
	}

	/** How many requests were received, all paths together. */
	public int requests() {
		return this.requests.get();
	}

	/** Paths that were requested more than once, with their number of requests. */
	public Map<String, Integer> repeated() {
		Map<String, Integer> repeated = new ConcurrentHashMap<>();
		this.hits.forEach((path, count) -> {
			if (count.get() > 1) {
				repeated.put(path, count.get());
			}
		});
		return repeated;
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

	/** Connections accepted so far. */
	public int connectionsOpened() {
		return this.connectionsOpened.get();
	}

	/** Connections closed so far, by either side. */
	public int connectionsClosed() {
		return this.connectionsClosed.get();
	}

	/** Requests received and not answered yet. */
	public int inFlight() {
		return this.inFlight.get();
	}

	/** The most requests that were ever in flight at once. */
	public int maxInFlight() {
		return this.maxInFlight.get();
	}

	/** Bytes of {@code /big} bodies handed to the connection so far. */
	public long bytesSent() {
		return this.bytesSent.get();
	}

	/**
	 * The most requests whose path starts with {@code prefix} that arrived within any span of
	 * {@code window}: what an upstream enforcing a rate over that window would have counted.
	 */
	public int mostInAnyWindow(String prefix, Duration window) {
		long[] times = arrivalTimes(prefix);
		int most = 0;
		int from = 0;
		for (int to = 0; to < times.length; to++) {
			while (times[to] - times[from] >= window.toNanos()) {
				from++;
			}
			most = Math.max(most, to - from + 1);
		}
		return most;
	}

	/** The time from the first to the last arrival of a request whose path starts with {@code prefix}. */
	public Duration span(String prefix) {
		long[] times = arrivalTimes(prefix);
		return (times.length < 2) ? Duration.ZERO : Duration.ofNanos(times[times.length - 1] - times[0]);
	}

	/** When ({@link System#nanoTime()}) {@code /limited} requests were refused with 429, in order. */
	public List<Long> refusedByRate() {
		return List.copyOf(this.refusedByRate);
	}

	private long[] arrivalTimes(String prefix) {
		return this.arrivals.stream()
			.filter((arrival) -> arrival.uri().startsWith(prefix))
			.mapToLong(Arrival::nanos)
			.sorted()
			.toArray();
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String uri = request.uri();
		this.arrivals.add(new Arrival(uri, System.nanoTime()));
		String authorization = request.requestHeaders().get("Authorization");
		if (authorization != null) {
			this.authorizations.add(authorization);
		}
		this.requests.incrementAndGet();
		int count = this.hits.computeIfAbsent(uri, (key) -> new AtomicInteger()).incrementAndGet();
		int now = this.inFlight.incrementAndGet();
		this.maxInFlight.accumulateAndGet(now, Math::max);
		AtomicBoolean released = new AtomicBoolean();
		Runnable release = () -> {
			if (released.compareAndSet(false, true)) {
				this.inFlight.decrementAndGet();
			}
		};
		return route(uri, count, request, response, release).doFinally((signal) -> release.run());
	}

	/**
	 * Routes a request. {@code release} ends its in-flight count; slow routes call it before they
	 * answer, since the client may see the answer (and send its next request) before the server's
	 * own completion callback runs.
	 */
	private Mono<Void> route(String uri, int count, HttpServerRequest request, HttpServerResponse response,
			Runnable release) {
		int query = uri.indexOf('?');
		String[] parts = ((query < 0) ? uri : uri.substring(0, query)).split("/");
		String first = (parts.length > 1) ? parts[1] : "";
		switch (first) {
			case "ok":
				return (parts.length > 2) ? json(response, uri) : text(response, "ok");
			case "status":
				return response.status(Integer.parseInt(parts[2])).sendString(Mono.just("status " + parts[2])).then();
			case "gate":
				return gate(parts[2]).asMono().then(Mono.fromRunnable(release)).then(json(response, uri));
			case "never":
				this.hanging.incrementAndGet();
				request.withConnection((connection) -> connection.onDispose(() -> {
					this.hanging.decrementAndGet();
					this.aborted.incrementAndGet();
				}));
				return Mono.never();
			case "sleep": {
				long millis = Long.parseLong(parts[2]);
				return Mono.delay(Duration.ofMillis(millis))
					.then(Mono.fromRunnable(release))
					.then(text(response, "slept " + millis));
			}
			case "flaky":
				return (count == 1) ? response.status(503).sendString(Mono.just("try again")).then()
						: text(response, "recovered");
			case "throttled":
				return (count == 1) ? response.status(429).header("Retry-After", parts[2]).send().then()
						: text(response, "welcome back");
			case "limited":
				return limited(Integer.parseInt(parts[2]), parts.length > 3 && parts[3].equals("retry-after"), uri,
						response);
			case "json":
				return response.header("Content-Type", "application/json").sendString(Mono.just(WEATHER)).then();
			case "hostile":
				return response.header("Content-Type", "application/json").sendString(Mono.just(HOSTILE)).then();
			case "html":
				return response.header("Content-Type", "text/html; charset=utf-8").sendString(Mono.just(PAGE)).then();
			case "image":
				return response.header("Content-Type", "image/png")
					.sendByteArray(Mono.just(new byte[] { (byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3 }))
					.then();
			case "big":
				return big(response, Integer.parseInt(parts[2]), List.of(parts).contains("declared"),
						List.of(parts).contains("text"));
			case "redirect":
				return response.status(HttpResponseStatus.FOUND).header("Location", redirectTarget(uri)).send().then();
			case "echo":
				return request.receive()
					.aggregate()
					.asString()
					.defaultIfEmpty("")
					.flatMap((body) -> text(response,
							request.method().name() + " " + body + " ua=" + request.requestHeaders().get("User-Agent")
									+ " auth=" + request.requestHeaders().get("Authorization") + " traceparent="
									+ request.requestHeaders().get("traceparent")));
			default:
				return response.status(404).send();
		}
	}

	private Mono<Void> limited(int perSecond, boolean retryAfter, String uri, HttpServerResponse response) {
		long now = System.nanoTime();
		boolean refused;
		synchronized (this.limitedAnswered) {
			while (!this.limitedAnswered.isEmpty() && now - this.limitedAnswered.peekFirst() >= 1_000_000_000L) {
				this.limitedAnswered.pollFirst();
			}
			refused = this.limitedAnswered.size() >= perSecond;
			if (!refused) {
				this.limitedAnswered.addLast(now);
			}
		}
		if (!refused) {
			return json(response, uri);
		}
		this.refusedByRate.add(now);
		if (retryAfter) {
			response.header("Retry-After", "1");
		}
		return response.status(429).sendString(Mono.just("slow down")).then();
	}

	private static String redirectTarget(String uri) {
		int index = uri.indexOf("to=");
		return URLDecoder.decode(uri.substring(index + 3), StandardCharsets.UTF_8);
	}

	private Mono<Void> big(HttpServerResponse response, int mebibytes, boolean declared, boolean text) {
		byte[] chunk = new byte[64 * 1024];
		if (text) {
			Arrays.fill(chunk, (byte) 'a');
		}
		int chunks = mebibytes * 16;
		if (declared) {
			response.header("Content-Length", Long.toString((long) chunks * chunk.length));
		}
		return response.header("Content-Type", text ? "text/plain" : "application/octet-stream")
			.send(Flux.range(0, chunks).map((i) -> {
				this.bytesSent.addAndGet(chunk.length);
				return Unpooled.wrappedBuffer(chunk);
			}), (buffer) -> true)
			.then();
	}

	private Sinks.One<Boolean> gate(String name) {
		return this.gates.computeIfAbsent(name, (key) -> Sinks.one());
	}

	private static Mono<Void> json(HttpServerResponse response, String uri) {
		return response.header("Content-Type", "application/json")
			.sendString(Mono.just("{\"path\":\"" + uri + "\",\"tmp\":21}"))
			.then();
	}

	private static Mono<Void> text(HttpServerResponse response, String body) {
		return response.header("Content-Type", "text/plain; charset=utf-8").sendString(Mono.just(body)).then();
	}

	private record Arrival(String uri, long nanos) {
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
	}

}
