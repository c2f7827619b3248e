package io.fanout.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * A job that asks for far more memory than the heap holds runs anyway: Fanout in a child JVM with
 * {@code -Xmx256m} (a memory budget of a quarter of it, 64 MiB) runs 400 requests to text bodies of
 * 1 MiB (each held and decoded) all at once (concurrency 2,000) with the largest {@code maxBodySize}
 * it accepts — 4 GB if every request held its limit, 400 MiB of bodies, more than the heap. Bodies
 * wait for room in the budget instead of filling the heap: no {@code OutOfMemoryError}, the job
 * ends, its results read in a page of 1,000, and the process still answers. Before the fix that
 * came with this test, a body of a declared length got its array before waiting for room, and this
 * job ended the process at once. The full form (2,000 × 5 MiB) also runs without an
 * {@code OutOfMemoryError}, but for minutes in a 256 MiB heap; see the issue 11 note.
 */
class SmallHeapIntegrationTests {

	private static final String KEY = "small-heap-key-0b5e2a";

	private static final int REQUESTS = 400;

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
	void aJobOfLargeBodiesAtFullConcurrencyRunsInASmallHeap() {
		this.fanout = new FanoutProcess(this.directory.resolve("data"),
				List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"),
				Map.of("fanout.security.api-keys.heap", KEY, "fanout.fetch.allowed-networks", "127.0.0.1/32",
						"fanout.fetch.default-policy.max-attempts", "1", "fanout.scheduler.poll-interval", "200ms",
						"springdoc.api-docs.enabled", "false", "springdoc.swagger-ui.enabled", "false"))
			.start();
		WebTestClient client = this.fanout.client();
		String requests = IntStream.range(0, REQUESTS)
			.mapToObj((i) -> "{\"url\": \"" + this.upstream.url("/big/1/declared/text?request=" + i) + "\"}")
			.collect(Collectors.joining(", "));
		// 10 MB (fanout.fetch.max-body-size) is the largest maxBodySize accepted; the timeout leaves
		// room for waiting in the budget on a shared machine.
		Map<String, Object> job = body(client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"concurrency\": 2000, \"maxBodySize\": 10000000, \"timeout\": \"PT5M\", "
					+ "\"requests\": [" + requests + "]}")
			.exchange()
			.expectStatus()
			.isAccepted());
		String id = (String) job.get("id");

		Map<String, Object> done = Awaitility.await()
			.atMost(Duration.ofMinutes(4))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> job(client, id), (state) -> !List.of("QUEUED", "RUNNING").contains(state.get("status")));

		assertThat(this.fanout.isAlive()).as("the process is alive (it exits on OutOfMemoryError)").isTrue();
		assertThat(this.fanout.log()).doesNotContain("OutOfMemoryError");
		assertThat(done.get("status")).isEqualTo("COMPLETED");
		@SuppressWarnings("unchecked")
		Map<String, Object> counts = (Map<String, Object>) ((Map<String, Object>) done.get("progress")).get("counts");
		assertThat(counts.get("SUCCEEDED")).as("outcomes %s", counts).isEqualTo(REQUESTS);
		assertThat(this.upstream.bytesSent()).isGreaterThanOrEqualTo(REQUESTS * 1024L * 1024);

		// Results read in a page of up to 1,000, each result with the size of its body.
		Map<String, Object> page = page(client, "/api/v1/jobs/" + id + "/results?limit=1000");
		assertThat((List<?>) page.get("items")).hasSize(REQUESTS)
			.allSatisfy((item) -> assertThat(((Map<?, ?>) item).get("bodySize")).isEqualTo(1024 * 1024));
		assertThat(this.fanout.managementStatus("/actuator/health")).isEqualTo(200);
	}

	private Map<String, Object> job(WebTestClient client, String id) {
		if (!this.fanout.isAlive()) {
			String log = this.fanout.log();
			throw new IllegalStateException("Fanout died:\n" + log.substring(Math.max(0, log.length() - 6000)));
		}
		return body(client.get().uri("/api/v1/jobs/" + id).header("X-API-Key", KEY).exchange().expectStatus().isOk());
	}

	private static Map<String, Object> page(WebTestClient client, String uri) {
		return body(client.get().uri(uri).header("X-API-Key", KEY).exchange().expectStatus().isOk());
	}

	private static Map<String, Object> body(WebTestClient.ResponseSpec response) {
		return response.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody();
	}

}
