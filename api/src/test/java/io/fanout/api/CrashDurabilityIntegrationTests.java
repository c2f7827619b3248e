package io.fanout.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutProcess;
import io.fanout.test.TestUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the API acknowledged survives {@code kill -9} on the embedded H2 database: Fanout runs in a
 * child JVM, a job of slow requests is under way, the results the API returned are noted, the process
 * is killed, and a new process on the same data directory still returns every one of them, completes
 * the job, and refetches no acknowledged request; the upstream sees at most the documented repeats:
 * the requests in flight at the crash plus those that completed within the result-batch interval
 * before it.
 */
class CrashDurabilityIntegrationTests {

	private static final String KEY = "crash-test-key-6d0f1c";

	private static final int REQUESTS = 30;

	private static final int CONCURRENCY = 3;

	private static final int LATENCY_MILLIS = 400;

	private static final Duration RESULT_BATCH_INTERVAL = Duration.ofMillis(250);

	@TempDir
	Path directory;

	private final TestUpstream upstream = new TestUpstream();

	private FanoutProcess fanout;

	@AfterEach
	void stop() {
		if (this.fanout != null) {
			this.fanout.close();
		}
		this.upstream.close();
	}

	@Test
	void resultsTheApiReturnedSurviveKillMinus9AndAreNotFetchedAgain() {
		this.fanout = new FanoutProcess(this.directory.resolve("data"), List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
				Map.of("fanout.security.api-keys.crash", KEY, "fanout.fetch.allowed-networks", "127.0.0.1/32",
						"fanout.fetch.default-policy.max-attempts", "1", "fanout.scheduler.poll-interval", "200ms",
						// A short lease, so that the restarted instance takes the dead one's job over soon.
						"fanout.scheduler.lease-duration", "3s", "fanout.scheduler.lease-renew-interval", "1s",
						"fanout.scheduler.result-batch-interval", RESULT_BATCH_INTERVAL.toMillis() + "ms",
						"springdoc.api-docs.enabled", "false", "springdoc.swagger-ui.enabled", "false"))
			.start();
		String requests = IntStream.range(0, REQUESTS)
			.mapToObj((i) -> "{\"url\": \"" + this.upstream.url(path(i)) + "\"}")
			.collect(Collectors.joining(", "));
		Map<String, Object> job = submit(this.fanout.client(),
				"{\"requests\": [" + requests + "], \"concurrency\": " + CONCURRENCY + "}");
		String id = (String) job.get("id");

		// Some results are acknowledged: the API has returned them; the process dies right after.
		Set<Integer> acknowledged = Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> indexes(this.fanout.client(), id), (indexes) -> indexes.size() >= 2 * CONCURRENCY);
		this.fanout.kill();
		int seenBeforeCrash = this.upstream.requests();
		assertThat(acknowledged).hasSizeLessThan(REQUESTS);

		this.fanout.start();
		WebTestClient client = this.fanout.client();
		assertThat(indexes(client, id)).as("results the API returned before the crash").containsAll(acknowledged);
		Awaitility.await()
			.atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> status(client, id), "COMPLETED"::equals);

		assertThat(indexes(client, id)).hasSize(REQUESTS);
		for (int index : acknowledged) {
			assertThat(this.upstream.hits(path(index))).as("fetches of acknowledged request %d", index).isEqualTo(1);
		}
		int repeats = 0;
		for (int i = 0; i < REQUESTS; i++) {
			assertThat(this.upstream.hits(path(i))).as("fetches of request %d", i).isBetween(1, 2);
			repeats += this.upstream.hits(path(i)) - 1;
		}
		// In flight at the crash: at most the concurrency. Completed but not yet written: those of the
		// last batch interval, at most one per slot since a request takes longer than the interval.
		int completedWithinBatchInterval = CONCURRENCY
				* (int) Math.ceil((double) RESULT_BATCH_INTERVAL.toMillis() / LATENCY_MILLIS);
		assertThat(repeats).as("requests fetched again (%d requests seen before the crash)", seenBeforeCrash)
			.isLessThanOrEqualTo(CONCURRENCY + completedWithinBatchInterval);
		assertThat(this.upstream.requests()).isEqualTo(REQUESTS + repeats);
	}

	private static String path(int index) {
		return "/sleep/" + LATENCY_MILLIS + "?request=" + index;
	}

	private static Map<String, Object> submit(WebTestClient client, String json) {
		return client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

	private static String status(WebTestClient client, String id) {
		return (String) client.get()
			.uri("/api/v1/jobs/" + id)
			.header("X-API-Key", KEY)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody()
			.get("status");
	}

	/** The indexes of the results the API returns now. */
	@SuppressWarnings("unchecked")
	private static Set<Integer> indexes(WebTestClient client, String id) {
		Map<String, Object> page = client.get()
			.uri("/api/v1/jobs/" + id + "/results?limit=1000")
			.header("X-API-Key", KEY)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		List<Integer> indexes = new ArrayList<>();
		for (Map<String, Object> item : (List<Map<String, Object>>) page.get("items")) {
			indexes.add(((Number) item.get("index")).intValue());
		}
		return new HashSet<>(indexes);
	}

}
