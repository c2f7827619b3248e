package io.fanout.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A webhook receiver on a loopback address for callback tests: records every request it gets
 * (method, path, headers with lower-case names, body) and answers with the statuses it was given,
 * in order, then with its default status; {@code 0} as a status never answers (the request stays
 * open until the client gives up). Counts the connections it accepted.
 */
public final class TestReceiver implements AutoCloseable {

	/** One request as received. */
	public record Received(String method, String path, Map<String, String> headers, String body) {

		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final Queue<Integer> script = new ConcurrentLinkedQueue<>();

	private final AtomicInteger connections = new AtomicInteger();

	private volatile int defaultStatus = 200;

	private final DisposableServer server;

	/** A receiver on 127.0.0.1. */
	public TestReceiver() {
		this("127.0.0.1");
	}

	/** A receiver on this loopback address. */
	public TestReceiver(String host) {
		this.server = HttpServer.create()
			.host(host)
			.port(0)
			.doOnChannelInit((observer, channel, remote) -> this.connections.incrementAndGet())
			.handle(this::handle)
			.bindNow(Duration.ofSeconds(10));
	}

	/** Answers the next requests with these statuses, in order ({@code 0}: never answers). */
	public TestReceiver answering(int... statuses) {
		for (int status : statuses) {
			this.script.add(status);
		}
		return this;
	}

	/** Answers with this status once the scripted ones are used up ({@code 0}: never answers). */
	public TestReceiver answeringByDefault(int status) {
		this.defaultStatus = status;
		return this;
	}

	/** Forgets the scripted statuses not used yet. */
	public void clearScript() {
		this.script.clear();
	}

	/** A URL on this receiver. */
	public String url(String path) {
		return "http://" + this.server.host() + ":" + this.server.port() + path;
	}

	/** Every request received so far, in order. */
	public List<Received> received() {
		return List.copyOf(this.received);
	}

	/** Connections accepted so far. */
	public int connections() {
		return this.connections.get();
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap((body) -> {
			Map<String, String> headers = new TreeMap<>();
			request.requestHeaders().forEach((header) -> headers.put(header.getKey().toLowerCase(Locale.ROOT),
					header.getValue()));
			this.received.add(new Received(request.method().name(), request.uri(), headers, body));
			Integer scripted = this.script.poll();
			int status = (scripted != null) ? scripted : this.defaultStatus;
			if (status == 0) {
				return Mono.never();
			}
			return response.status(HttpResponseStatus.valueOf(status)).sendString(Mono.just("status " + status)).then();
		});
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
