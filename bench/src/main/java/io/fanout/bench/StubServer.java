package io.fanout.bench;

import java.time.Duration;

import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The upstream stub, run in a JVM of its own so that it never competes with Fanout's heap or
 * threads. {@code GET /sleep/{millis}} answers after that long, anything else at once; both with
 * a small JSON body and keep-alive. A large accept backlog lets 10,000 clients connect at once.
 * <p>
 * Usage: {@code StubServer <port>}. Prints {@code READY <port>} when it listens.
 */
public final class StubServer {

	private static final String BODY = "{\"current_condition\":{\"tmp\":21}}";

	private StubServer() {
	}

	public static void main(String[] args) {
		int port = (args.length > 0) ? Integer.parseInt(args[0]) : 0;
		DisposableServer server = start(port);
		System.out.println("READY " + server.port());
		System.out.flush();
		server.onDispose().block();
	}

	static DisposableServer start(int port) {
		LoopResources loops = LoopResources.create("stub", 1, Runtime.getRuntime().availableProcessors(), true);
		return HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.runOn(loops)
			.option(ChannelOption.SO_BACKLOG, 16_384)
			.route(routes -> routes.get("/sleep/{millis}", (request, response) -> {
				long millis = Long.parseLong(request.param("millis"));
				return Mono.delay(Duration.ofMillis(millis))
					.then(response.header("Content-Type", "application/json").sendString(Mono.just(BODY)).then());
			}).get("/**", (request, response) -> response.header("Content-Type", "application/json")
				.sendString(Mono.just(BODY))
				.then()))
			.bindNow(Duration.ofSeconds(10));
	}

}
