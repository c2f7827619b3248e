package io.fanout.fetch.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fanout.fetch.FetchPolicy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCounted;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * One HTTP exchange and the redirect hops after it: the request on the wire, the body read within
 * its limit and into the memory budget, and the rules a hop must pass. An origin is scheme, host
 * and effective port: headers go along unchanged within one origin; to another, only the configured
 * safe headers do (never credentials, whatever their name); a hop from {@code https} to {@code http}
 * is refused unless the policy allows it.
 */
final class HttpExchange {

	private final HttpClient http;

	/** Headers, lower case, that may follow a redirect to another origin. */
	private final Set<String> crossOriginHeaders;

	HttpExchange(HttpClient http, Set<String> crossOriginHeaders) {
		this.http = http;
		this.crossOriginHeaders = crossOriginHeaders;
	}

	/** The exchange, then the redirect hops the policy allows, each a new exchange. */
	Mono<RawResponse> send(String method, URI uri, Map<String, String> headers, @Nullable String body,
			FetchPolicy policy, MemoryHold memory) {
		return follow(method, uri, headers, body, policy, memory, 0);
	}

	private Mono<RawResponse> follow(String method, URI uri, Map<String, String> headers, @Nullable String body,
			FetchPolicy policy, MemoryHold memory, int hop) {
		return exchange(method, uri, headers, body, policy.maxBodySize(), memory).flatMap(response -> {
			if (!policy.followRedirects() || !response.isRedirect()) {
				return Mono.just(response);
			}
			if (hop >= policy.maxRedirects()) {
				return Mono.error(new RedirectException("more than " + policy.maxRedirects() + " redirects", response));
			}
			URI next;
			try {
				next = uri.resolve(new URI(Objects.requireNonNull(response.location()).strip()));
			}
			catch (Exception ex) {
				return Mono.error(new RedirectException("invalid redirect location", response));
			}
			String scheme = scheme(next);
			if (!scheme.equals("http") && !scheme.equals("https")) {
				return Mono.error(new BlockedRedirectException("redirect to scheme '" + scheme + "' refused"));
			}
			if (scheme(uri).equals("https") && scheme.equals("http") && !policy.allowRedirectToHttp()) {
				return Mono.error(new BlockedRedirectException("redirect from https to http refused: it would send "
						+ "the request in clear text (allowRedirectToHttp lets it)"));
			}
			boolean keepMethod = response.status() == 307 || response.status() == 308;
			Map<String, String> forwarded = sameOrigin(uri, next) ? headers : crossOrigin(headers);
			// The body of this hop is not needed any more: its room goes back before the next one.
			memory.release();
			return follow(keepMethod ? method : (method.equals("HEAD") ? "HEAD" : "GET"), next, forwarded,
					keepMethod ? body : null, policy, memory, hop + 1)
				.onErrorMap(Outcomes::isBlockedFirstHop, failure -> new BlockedRedirectException(
						"redirect refused: " + Failures.classify(failure).message()));
		});
	}

	private Mono<RawResponse> exchange(String method, URI uri, Map<String, String> headers, @Nullable String body,
			long maxBodySize, MemoryHold memory) {
		// Configuring headers copies the client's configuration: only pay for it when there are some.
		HttpClient client = headers.isEmpty() ? this.http : this.http.headers(h -> headers.forEach(h::set));
		HttpClient.RequestSender sender = client.request(HttpMethod.valueOf(method)).uri(uri);
		HttpClient.ResponseReceiver<?> receiver = (body != null)
				? sender.send(ByteBufFlux.fromString(Mono.just(body), StandardCharsets.UTF_8, ByteBufAllocator.DEFAULT))
				: sender;
		// single(), not next(): next() cancels upstream as soon as the value arrives, which would reach
		// read()'s cancel handler and close a connection that could have gone back to the pool.
		return receiver
			.responseConnection((response, connection) -> read(uri, response, connection, maxBodySize, memory))
			.single();
	}

	/**
	 * Reads the body chunk by chunk. A chunk that does not fit what the body holds of the memory
	 * budget waits, retained, for more room; meanwhile no further chunk is asked for, so the
	 * connection stops reading and the upstream is held back.
	 */
	private Mono<RawResponse> read(URI uri, HttpClientResponse response, Connection connection, long maxBodySize,
			MemoryHold memory) {
		HttpHeaders headers = response.responseHeaders();
		int status = response.status().code();
		long declared = parseLength(headers.get(HttpHeaderNames.CONTENT_LENGTH));
		if (declared > maxBodySize) {
			// Never read it: drop the connection so the upstream stops sending.
			connection.dispose();
			return Mono.error(new BodyTooLargeException(declared, maxBodySize, true));
		}
		String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
		if (!Bodies.isText(contentType)) {
			return countOnly(uri, status, headers, connection, maxBodySize);
		}
		// The buffer of a declared length is allocated whole, so only once the budget has room for it.
		return memory.growTo(declared).then(Mono.defer(() -> {
			BodyBuffer buffer = new BodyBuffer(maxBodySize, declared);
			return connection.inbound().receive().doOnNext(ByteBuf::retain).concatMap((chunk) -> {
				long size = buffer.size() + (long) chunk.readableBytes();
				Mono<Void> room = (size > maxBodySize || memory.covers(size)) ? Mono.empty() : memory.growTo(maxBodySize);
				return room.then(Mono.fromRunnable(() -> buffer.append(chunk))).doFinally((signal) -> chunk.release());
			}, 1)
				.doOnDiscard(ByteBuf.class, ReferenceCounted::release)
				.then(Mono.fromSupplier(() -> response(uri, status, headers, buffer.bytes(), buffer.size())));
		})).doOnError(failure -> connection.dispose()).doOnCancel(connection::dispose);
	}

	/**
	 * A binary body is neither decoded, extracted from nor stored, only measured: its bytes are
	 * counted as they pass and never copied, so it takes nothing of the memory budget.
	 */
	private Mono<RawResponse> countOnly(URI uri, int status, HttpHeaders headers, Connection connection,
			long maxBodySize) {
		return connection.inbound().receive().reduce(0L, (size, chunk) -> {
			long total = size + chunk.readableBytes();
			if (total > maxBodySize) {
				throw new BodyTooLargeException(total, maxBodySize, false);
			}
			return total;
		})
			.map((size) -> response(uri, status, headers, NO_BYTES, (int) (long) size))
			.doOnError(failure -> connection.dispose())
			.doOnCancel(connection::dispose);
	}

	private static final byte[] NO_BYTES = new byte[0];

	private static RawResponse response(URI uri, int status, HttpHeaders headers, byte[] body, int length) {
		return new RawResponse(uri, status, headers.get(HttpHeaderNames.CONTENT_TYPE),
				headers.get(HttpHeaderNames.LOCATION), headers.get(HttpHeaderNames.RETRY_AFTER), body, length);
	}

	/** Whether two URIs are of one origin: scheme, host and effective port. */
	static boolean sameOrigin(URI a, URI b) {
		return scheme(a).equals(scheme(b)) && host(a).equals(host(b)) && port(a) == port(b);
	}

	private Map<String, String> crossOrigin(Map<String, String> headers) {
		Map<String, String> kept = new LinkedHashMap<>();
		headers.forEach((name, value) -> {
			if (this.crossOriginHeaders.contains(name.toLowerCase(Locale.ROOT))) {
				kept.put(name, value);
			}
		});
		return kept;
	}

	private static String scheme(URI uri) {
		return (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
	}

	static String host(URI uri) {
		String host = uri.getHost();
		return (host != null) ? host.toLowerCase(Locale.ROOT) : "";
	}

	private static int port(URI uri) {
		if (uri.getPort() >= 0) {
			return uri.getPort();
		}
		return scheme(uri).equals("https") ? 443 : 80;
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

}
