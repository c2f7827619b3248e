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
 * Uses wrk (Debian package {@code wrk}) when installed, otherwise a closed-loop generator of its
 * own with the same shape (fixed connections, fixed duration).
 */
final class ApiLoad {

	private static final int CONNECTIONS = 64;

	private final String baseUrl;

	private final String apiKey;

	private final String upstreamUrl;

	private final Path workDir;

	/** How long each of the two loads runs. */
	private final Duration duration;

	ApiLoad(String baseUrl, String apiKey, String upstreamUrl, Path workDir, Duration duration) {
		this.duration = duration;
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
		Result get = wrk ? wrk("GET", getUrl, null) : builtIn(HttpMethod.GET, getUrl, null);
		report.apiLoad("S6", "GET /jobs/{id}, " + CONNECTIONS + " connections, " + this.duration.toSeconds() + " s",
				get.rate, get.p99Millis, get.errors, wrk ? "wrk" : "built-in");
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
		boolean runningThroughout = !"COMPLETED".equals(api.get(id).path("status").asString());
		api.awaitFinished(id, System.nanoTime() + Duration.ofMinutes(5).toNanos());
		report.apiLoadUnder("S6", "GET /jobs/{id}, " + CONNECTIONS + " connections, " + this.duration.toSeconds()
				+ " s, while a job of " + requests + " × instant runs at concurrency 1,000", get.rate, get.p99Millis,
				get.errors, wrk ? "wrk" : "built-in", MAX_P99_UNDER_LOAD_MILLIS, runningThroughout);
	}

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
		ConcurrentHistogram latencies = new ConcurrentHistogram(3);
		AtomicLong errors = new AtomicLong();
		AtomicLong done = new AtomicLong();
		long end = System.nanoTime() + this.duration.toNanos();
		try {
			Flux.range(0, CONNECTIONS).flatMap(worker -> Mono.defer(() -> {
				long start = System.nanoTime();
				HttpClient.ResponseReceiver<?> request = (body != null)
						? client.request(method).uri(url).send(ByteBufFlux.fromString(Mono.just(body)))
						: client.request(method).uri(url);
				return request.responseSingle((response, content) -> content.asByteArray()
					.defaultIfEmpty(new byte[0])
					.doOnNext(bytes -> {
						latencies.recordValue((System.nanoTime() - start) / 1000);
						done.incrementAndGet();
						if (response.status().code() >= 300) {
							errors.incrementAndGet();
						}
					}))
					.onErrorResume(failure -> {
						errors.incrementAndGet();
						return Mono.empty();
					});
			}).repeat(() -> System.nanoTime() < end), CONNECTIONS).blockLast(this.duration.plusSeconds(30));
		}
		finally {
			connections.dispose();
		}
		return new Result(done.get() / (this.duration.toNanos() / 1e9), latencies.getValueAtPercentile(99) / 1000.0,
				errors.get());
	}

}
