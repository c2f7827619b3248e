package io.fanout.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fanout's REST API as the harness uses it: submit a job, then poll it until it is finished with
 * every result stored.
 */
final class FanoutApi {

	private static final Duration POLL = Duration.ofMillis(20);

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String baseUrl;

	private final String apiKey;

	FanoutApi(String baseUrl, String apiKey) {
		this.baseUrl = baseUrl;
		this.apiKey = apiKey;
	}

	/** The body of a job of {@code count} GETs of {@code url}. */
	String jobBody(String url, int count, int concurrency, Duration timeout) {
		List<Map<String, Object>> requests = new ArrayList<>(count);
		Map<String, Object> request = Map.of("url", url);
		for (int i = 0; i < count; i++) {
			requests.add(request);
		}
		return this.json.writeValueAsString(Map.of("name", "bench", "requests", requests, "concurrency", concurrency,
				"timeout", timeout.toString(), "retry", Map.of("maxAttempts", 1)));
	}

	/**
	 * The NDJSON body of the same job, for {@code POST /api/v1/jobs/stream}: the settings line, then
	 * one line per request.
	 */
	String streamedJobBody(String url, int count, int concurrency, Duration timeout) {
		String settings = this.json.writeValueAsString(Map.of("name", "bench", "concurrency", concurrency,
				"timeout", timeout.toString(), "retry", Map.of("maxAttempts", 1)));
		String line = this.json.writeValueAsString(Map.of("url", url));
		StringBuilder body = new StringBuilder(settings.length() + (line.length() + 1) * count + 1);
		body.append(settings).append('\n');
		for (int i = 0; i < count; i++) {
			body.append(line).append('\n');
		}
		return body.toString();
	}

	CompletableFuture<String> submitAsync(String body) {
		return submitAsync("/api/v1/jobs", "application/json", body);
	}

	CompletableFuture<String> submitStreamAsync(String body) {
		return submitAsync("/api/v1/jobs/stream", "application/x-ndjson", body);
	}

	private CompletableFuture<String> submitAsync(String path, String contentType, String body) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.header("X-API-Key", this.apiKey)
			.header("Content-Type", contentType)
			.timeout(Duration.ofMinutes(2))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		long start = System.nanoTime();
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
			if (response.statusCode() != 202) {
				throw new IllegalStateException(String.format("submit of %,d bytes answered %d after %.1f s, at %s: %s",
						body.length(), response.statusCode(), (System.nanoTime() - start) / 1e9, Instant.now(),
						response.body()));
			}
			return this.json.readTree(response.body()).get("id").asString();
		});
	}

	/** Submits and waits: the time from submission until the job is finished with every result stored. */
	Duration runJob(String body, Duration limit) throws IOException, InterruptedException {
		long start = System.nanoTime();
		String id = submitAsync(body).join();
		JsonNode job = awaitFinished(id, start + limit.toNanos());
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		requireCompleted(job);
		return took;
	}

	/** Polls until the job is finished with no request pending. */
	JsonNode awaitFinished(String id, long deadlineNanos) throws IOException, InterruptedException {
		while (true) {
			JsonNode job = get(id);
			String status = job.get("status").asString();
			boolean finished = status.equals("COMPLETED") || status.equals("FAILED") || status.equals("CANCELLED");
			if (finished && job.get("progress").get("pending").asInt() == 0) {
				return job;
			}
			if (System.nanoTime() > deadlineNanos) {
				throw new IllegalStateException("job " + id + " not finished in time: " + job);
			}
			Thread.sleep(POLL.toMillis());
		}
	}

	JsonNode get(String id) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.baseUrl + "/api/v1/jobs/" + id))
			.header("X-API-Key", this.apiKey)
			.timeout(Duration.ofSeconds(30))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET job answered " + response.statusCode() + ": " + response.body());
		}
		return this.json.readTree(response.body());
	}

	/** The number of results on the first page of {@code limit}. */
	int firstResultPage(String id, int limit) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.baseUrl + "/api/v1/jobs/" + id + "/results?limit=" + limit))
			.header("X-API-Key", this.apiKey)
			.header("Accept", "application/json")
			.timeout(Duration.ofSeconds(30))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET results answered " + response.statusCode() + ": " + response.body());
		}
		return this.json.readTree(response.body()).get("items").size();
	}

	/** The number of results in the job's NDJSON stream, read to its end. */
	long streamResults(String id) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.baseUrl + "/api/v1/jobs/" + id + "/results"))
			.header("X-API-Key", this.apiKey)
			.header("Accept", "application/x-ndjson")
			.timeout(Duration.ofMinutes(10))
			.build();
		HttpResponse<java.util.stream.Stream<String>> response = this.http.send(request,
				HttpResponse.BodyHandlers.ofLines());
		try (java.util.stream.Stream<String> lines = response.body()) {
			if (response.statusCode() != 200) {
				throw new IllegalStateException("GET results stream answered " + response.statusCode());
			}
			return lines.filter(line -> !line.isBlank()).count();
		}
	}

	static void requireCompleted(JsonNode job) {
		JsonNode progress = job.get("progress");
		int total = progress.get("total").asInt();
		int succeeded = progress.path("counts").path("SUCCEEDED").asInt(-1);
		if (!job.get("status").asString().equals("COMPLETED") || succeeded != total) {
			throw new IllegalStateException("job did not complete cleanly: " + job);
		}
	}

	static Duration between(JsonNode job, String from, String to) {
		return Duration.between(Instant.parse(job.get(from).asString()), Instant.parse(job.get(to).asString()));
	}

}
