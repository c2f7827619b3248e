package io.fanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.HttpMethod;
import org.HdrHistogram.ConcurrentHistogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * S6: the API itself under load, {@code GET /jobs/{id}} and {@code POST /jobs} with one request.
 * Throughput is measured in a closed loop: wrk (Debian package {@code wrk}) when installed,
 * otherwise a generator of its own with the same shape (fixed connections, fixed duration). In a
 * closed loop the mean latency is the connections over the throughput whatever the server does
 * (Little's law), so latency targets are measured in an open loop as well: requests sent at a fixed
 * rate, half the closed loop's {@code GET} throughput, each timed from when it was due to be sent
 * (a request held up behind a slow one counts the wait, as wrk2 does).
 */
final class ApiLoad {

	private static final int CONNECTIONS = 64;

	private final String baseUrl;

	private final String apiKey;

	private final String upstreamUrl;

	private final Path workDir;

	/** How long each of the two loads runs. */
	private final Duration duration;

	/** {@code GET /jobs/{id}} per second in the closed loop alone, once {@link #run} has measured it. */
	private double getRate;

	/** The open loop's rate if given (requests per second), else 0. */
	private final double fixedRate;

	ApiLoad(String baseUrl, String apiKey, String upstreamUrl, Path workDir, Duration duration, double fixedRate) {
		this.duration = duration;
		this.fixedRate = fixedRate;
		this.baseUrl = baseUrl;
		this.apiKey = apiKey;
		this.upstreamUrl = upstreamUrl;
		this.workDir = workDir;
	}

	void run(Report report) throws Exception {
		FanoutApi api = new FanoutApi(this.baseUrl, this.apiKey);
		String body = api.jobBody(this.upstreamUrl, 1, 1, Duration.ofSeconds(10));
		String id = api.submitAsync(body).join();
		String getUrl = this.baseUrl + "/api/v1/jobs/" + id;
		String postUrl = this.baseUrl + "/api/v1/jobs";
		boolean wrk = hasWrk();
		// Not measured: the first load after start-up is mostly the JIT's, and the open loop's rate is
		// taken from the next one.
		builtIn(HttpMethod.GET, getUrl, null);
		Result get = wrk ? wrk("GET", getUrl, null) : builtIn(HttpMethod.GET, getUrl, null);
		this.getRate = get.rate;
		report.apiLoad("S6", "GET /jobs/{id}, " + CONNECTIONS + " connections, " + this.duration.toSeconds() + " s",
				get.rate, get.p99Millis, get.errors, wrk ? "wrk" : "built-in");
		Result open = openLoop(getUrl, openRate());
		report.apiLoad("S6", "GET /jobs/{id}, open loop at " + Math.round(openRate()) + "/s, " + this.duration.toSeconds()
				+ " s", open.rate, open.p99Millis, open.errors, "built-in, open loop");
		Result post = wrk ? wrk("POST", postUrl, body) : builtIn(HttpMethod.POST, postUrl, body);
		report.apiLoad("S6", "POST /jobs (1 request), " + CONNECTIONS + " connections, " + this.duration.toSeconds() + " s",
				post.rate, post.p99Millis, post.errors, wrk ? "wrk" : "built-in");
	}

	/**
	 * S6 under S4: {@code GET /jobs/{id}} of a job of {@code requests} instant requests at concurrency
	 * 1,000 while that job runs, against the target p99 of {@value #MAX_P99_UNDER_LOAD_MILLIS} ms. The row
	 * says whether the job was still running when the load ended; if not, part of the load ran
	 * without it and the figure flatters.
	 */
	void runDuringJob(Report report, int requests) throws Exception {
		FanoutApi api = new FanoutApi(this.baseUrl, this.apiKey);
		String body = api.jobBody(this.upstreamUrl, requests, 1000, Duration.ofSeconds(30));
		String id = api.submitAsync(body).join();
		String getUrl = this.baseUrl + "/api/v1/jobs/" + id;
		boolean wrk = hasWrk();
		Result get = wrk ? wrk("GET", getUrl, null) : builtIn(HttpMethod.GET, getUrl, null);
		Result open = openLoop(getUrl, openRate());
		boolean runningThroughout = !"COMPLETED".equals(api.get(id).path("status").asString());
		api.awaitFinished(id, System.nanoTime() + Duration.ofMinutes(5).toNanos());
		String during = ", while a job of " + requests + " × instant runs at concurrency 1,000";
		report.apiLoad("S6", "GET /jobs/{id}, " + CONNECTIONS + " connections, " + this.duration.toSeconds() + " s"
				+ during, get.rate, get.p99Millis, get.errors, wrk ? "wrk" : "built-in");
		report.apiLoadUnder("S6", "GET /jobs/{id}, open loop at " + Math.round(openRate()) + "/s, "
				+ this.duration.toSeconds() + " s" + during, open.rate, open.p99Millis, open.errors, "built-in, open loop",
				MAX_P99_UNDER_LOAD_MILLIS, runningThroughout);
	}

	/**
	 * The open loop's rate: {@code --s6-rate} if given, else half what the closed loop reached alone,
	 * or 100/s when it was not measured.
	 */
	private double openRate() {
		if (this.fixedRate > 0) {
			return this.fixedRate;
		}
		return (this.getRate > 0) ? Math.max(1, this.getRate / 2) : 100;
	}

	/**
	 * {@code GET url} at a fixed rate for the load's duration, whatever the answers take: request n is
	 * due at {@code n / rate} and timed from then, so a request sent late behind a stalled generator
	 * or a full pool counts its wait. Requests beyond {@value #OPEN_LOOP_MAX_IN_FLIGHT} in flight are
	 * not sent and count as errors: the server has fallen that far behind the rate.
	 */
	private Result openLoop(String url, double perSecond) {
		ConnectionProvider connections = ConnectionProvider.builder("api-open-loop")
			.maxConnections(OPEN_LOOP_MAX_IN_FLIGHT)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections).headers(headers -> headers.set("X-API-Key", this.apiKey));
		Tally tally = new Tally();
		long intervalNanos = (long) (1e9 / perSecond);
		long count = Math.max(1, (long) (perSecond * this.duration.toNanos() / 1e9));
		long start = System.nanoTime();
		try {
			Flux.interval(Duration.ofNanos(intervalNanos))
				.take(count)
				.onBackpressureDrop(dropped -> tally.errors.incrementAndGet())
				.flatMap(n -> tally.exchange(client.get().uri(url), start + (n + 1) * intervalNanos), OPEN_LOOP_MAX_IN_FLIGHT)
				.blockLast(this.duration.plusSeconds(30));
		}
		finally {
			connections.dispose();
		}
		return tally.result((System.nanoTime() - start) / 1e9);
	}

	/** The most requests the open loop keeps in flight (and connections it opens). */
	private static final int OPEN_LOOP_MAX_IN_FLIGHT = 1024;

	/** Issue 17's target for API reads while S4 runs. */
	static final double MAX_P99_UNDER_LOAD_MILLIS = 50;

	private record Result(double rate, double p99Millis, long errors) {
	}

	private static boolean hasWrk() {
		try {
			return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
		}
		catch (IOException | InterruptedException ex) {
			return false;
		}
	}

	private Result wrk(String method, String url, String body) throws IOException, InterruptedException {
		Path script = this.workDir.resolve("wrk-" + method.toLowerCase() + ".lua");
		StringBuilder lua = new StringBuilder();
		lua.append("wrk.method = \"").append(method).append("\"\n");
		lua.append("wrk.headers[\"X-API-Key\"] = \"").append(this.apiKey).append("\"\n");
		if (body != null) {
			lua.append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
			lua.append("wrk.body = [[").append(body).append("]]\n");
		}
		Files.writeString(script, lua);
		Process process = new ProcessBuilder("wrk", "-t2", "-c" + CONNECTIONS, "-d" + this.duration.toSeconds() + "s",
				"--latency", "-s", script.toString(), url)
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		process.waitFor();
		Files.writeString(this.workDir.resolve("wrk-" + method.toLowerCase() + ".txt"), output);
		double rate = number(output, "Requests/sec:\\s+([0-9.]+)");
		Matcher p99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)").matcher(output);
		double p99Millis = p99.find() ? toMillis(Double.parseDouble(p99.group(1)), p99.group(2)) : Double.NaN;
		long errors = (long) number(output, "Non-2xx or 3xx responses:\\s+([0-9]+)");
		Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
			.matcher(output);
		if (socket.find()) {
			for (int i = 1; i <= 4; i++) {
				errors += Long.parseLong(socket.group(i));
			}
		}
		return new Result(rate, p99Millis, errors);
	}

	private static double number(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
	}

	private static double toMillis(double value, String unit) {
		return switch (unit) {
			case "us" -> value / 1000;
			case "s" -> value * 1000;
			default -> value;
		};
	}

	private Result builtIn(HttpMethod method, String url, String body) {
		ConnectionProvider connections = ConnectionProvider.create("api-load", CONNECTIONS);
		HttpClient client = HttpClient.create(connections)
			.headers(headers -> headers.set("X-API-Key", this.apiKey).set("Content-Type", "application/json"));
		Tally tally = new Tally();
		long end = System.nanoTime() + this.duration.toNanos();
		try {
			Flux.range(0, CONNECTIONS).flatMap(worker -> Mono.defer(() -> {
				long start = System.nanoTime();
				HttpClient.ResponseReceiver<?> request = (body != null)
						? client.request(method).uri(url).send(ByteBufFlux.fromString(Mono.just(body)))
						: client.request(method).uri(url);
				return tally.exchange(request, start);
			}).repeat(() -> System.nanoTime() < end), CONNECTIONS).blockLast(this.duration.plusSeconds(30));
		}
		finally {
			connections.dispose();
		}
		return tally.result(this.duration.toNanos() / 1e9);
	}

	/** What a load's requests came to: latencies, answers, errors (a status of 300 or more, or no answer). */
	private static final class Tally {

		final ConcurrentHistogram latencies = new ConcurrentHistogram(3);

		final AtomicLong errors = new AtomicLong();

		final AtomicLong done = new AtomicLong();

		/** Sends the request and counts its answer, its latency measured from {@code sinceNanos}. */
		Mono<byte[]> exchange(HttpClient.ResponseReceiver<?> request, long sinceNanos) {
			return request.responseSingle((response, content) -> content.asByteArray()
				.defaultIfEmpty(new byte[0])
				.doOnNext(bytes -> {
					this.latencies.recordValue(Math.max(0, System.nanoTime() - sinceNanos) / 1000);
					this.done.incrementAndGet();
					if (response.status().code() >= 300) {
						this.errors.incrementAndGet();
					}
				}))
				.onErrorResume(failure -> {
					this.errors.incrementAndGet();
					return Mono.empty();
				});
		}

		Result result(double seconds) {
			return new Result(this.done.get() / seconds, this.latencies.getValueAtPercentile(99) / 1000.0,
					this.errors.get());
		}

	}

}
