package io.fanout.api.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path, from a REST call through the scheduler and the fetch engine to a real upstream and
 * back: submit, poll, read and stream results, cancel, idempotency, listing and deleting.
 */
@ExtendWith(OutputCaptureExtension.class)
@SuppressWarnings("unchecked")
class JobsIntegrationTests extends FanoutIntegrationTest {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	@Test
	void submitPollAndReadTheResults() {
		String url = upstream.url("/ok/submit-poll");
		Map<String, Object> job = submit(KEY_A, """
				{"name": "three", "requests": [
				  {"url": %1$s, "extract": {"temperature": "$.tmp"}},
				  {"url": %1$s, "extract": {"temperature": "$.tmp"}},
				  {"url": %1$s, "extract": {"temperature": "$.tmp", "missing": "$.nothing"}}]}""".formatted(quoted(url)));
		assertThat(job.get("status")).isIn("QUEUED", "RUNNING");

		Map<String, Object> done = awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		assertThat(done).containsEntry("name", "three").containsKeys("startedAt", "finishedAt");
		assertThat(done.get("progress")).isEqualTo(Map.of("total", 3, "done", 3, "pending", 0, "counts",
				Map.of("SUCCEEDED", 3, "HTTP_ERROR", 0, "TIMED_OUT", 0, "CONNECTION_ERROR", 0, "CIRCUIT_OPEN", 0,
						"REJECTED", 0, "BLOCKED", 0, "BODY_TOO_LARGE", 0, "EXTRACTION_FAILED", 0,
						"CANCELLED", 0)));
		List<Map<String, Object>> results = resultItems("/api/v1/jobs/" + job.get("id") + "/results");
		assertThat(results).extracting((result) -> result.get("index")).containsExactly(0, 1, 2);
		assertThat(results).allSatisfy((result) -> {
			assertThat(result).containsEntry("outcome", "SUCCEEDED").containsEntry("httpStatus", 200);
			assertThat(result).containsEntry("url", url).containsEntry("method", "GET").containsEntry("attempts", 1);
			assertThat((Map<String, Object>) result.get("extracted")).containsEntry("temperature", 21);
			assertThat(result).doesNotContainKey("body");
		});
		Map<String, Object> extracted = (Map<String, Object>) results.get(2).get("extracted");
		assertThat(extracted).containsEntry("missing", null);
	}

	@Test
	void resultsArePagedWithANextLink() {
		String url = quoted(upstream.url("/ok/paged"));
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [" + ("{\"url\": " + url + "},").repeat(4) + "{\"url\": "
				+ url + "}]}");
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		Map<String, Object> first = page("/api/v1/jobs/" + job.get("id") + "/results?limit=2&includeBody=true");
		String next = (String) ((Map<String, Object>) first.get("links")).get("next");
		Map<String, Object> second = page(next);
		Map<String, Object> third = page((String) ((Map<String, Object>) second.get("links")).get("next"));

		assertThat(indexes(first)).containsExactly(0, 1);
		assertThat(indexes(second)).containsExactly(2, 3);
		assertThat(indexes(third)).containsExactly(4);
		assertThat(third).doesNotContainKey("nextCursor");
		assertThat(((List<Map<String, Object>>) third.get("items")).get(0)).containsEntry("body",
				"{\"path\":\"/ok/paged\",\"tmp\":21}");
	}

	@Test
	void ndjsonStreamsEachResultAsItsRequestCompletes() {
		String gate = "ndjson-" + UUID.randomUUID();
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/fast")) + "}, "
				+ "{\"url\": " + quoted(upstream.url("/gate/" + gate)) + "}]}");

		Flux<Map<String, Object>> lines = this.client.get()
			.uri("/api/v1/jobs/" + job.get("id") + "/results")
			.header("X-API-Key", KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(JSON_OBJECT)
			.getResponseBody();

		StepVerifier.create(lines)
			.assertNext((first) -> assertThat(first).containsEntry("index", 0).containsEntry("outcome", "SUCCEEDED"))
			.then(() -> upstream.open(gate))
			.assertNext((second) -> assertThat(second).containsEntry("index", 1).containsEntry("outcome", "SUCCEEDED"))
			.expectComplete()
			.verify(Duration.ofSeconds(30));
	}

	@Test
	void serverSentEventsStreamEachResultAsItsRequestCompletesThenTheJob() {
		String gate = "sse-" + UUID.randomUUID();
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/gate/" + gate))
				+ "}, {\"url\": " + quoted(upstream.url("/ok/fast")) + "}]}");

		Flux<ServerSentEvent<Map<String, Object>>> events = this.client.get()
			.uri("/api/v1/jobs/" + job.get("id") + "/results")
			.header("X-API-Key", KEY_A)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
			})
			.getResponseBody();

		StepVerifier.create(events)
			.assertNext((first) -> {
				assertThat(first.event()).isEqualTo("result");
				assertThat(first.id()).isEqualTo("1");
				assertThat(first.data()).containsEntry("index", 1);
			})
			.then(() -> upstream.open(gate))
			.assertNext((second) -> {
				assertThat(second.id()).isEqualTo("2");
				assertThat(second.data()).containsEntry("index", 0);
			})
			.assertNext((end) -> {
				assertThat(end.event()).isEqualTo("end");
				assertThat(end.data()).containsEntry("status", "COMPLETED");
			})
			.expectComplete()
			.verify(Duration.ofSeconds(30));
	}

	@Test
	void cancelAbortsInFlightRequests() {
		int abortedBefore = upstream.aborted();
		int hangingBefore = upstream.hanging();
		String never = quoted(upstream.url("/never/" + UUID.randomUUID()));
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + never + "}, {\"url\": " + never
				+ "}], \"timeout\": \"PT60S\"}");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> upstream.hanging() == hangingBefore + 2);

		this.client.post()
			.uri("/api/v1/jobs/" + job.get("id") + "/cancel")
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.cancelRequested").isEqualTo(true);

		awaitStatus(KEY_A, job.get("id"), "CANCELLED");
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> upstream.aborted() == abortedBefore + 2);
		assertThat(resultItems("/api/v1/jobs/" + job.get("id") + "/results"))
			.extracting((result) -> result.get("outcome"))
			.containsExactly("CANCELLED", "CANCELLED");
		this.client.post()
			.uri("/api/v1/jobs/" + job.get("id") + "/cancel")
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONFLICT)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/job-state");
	}

	@Test
	void aRepeatedIdempotencyKeyReturnsTheFirstJobAndADifferentBodyIsRefused() {
		String key = "idempotent-" + UUID.randomUUID();
		String body = "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/idempotent")) + "}]}";

		String first = submitWithKey(key, body).expectStatus().isAccepted().expectBody(JSON_OBJECT).returnResult()
			.getResponseBody().get("id").toString();
		String again = submitWithKey(key, body).expectStatus().isAccepted().expectBody(JSON_OBJECT).returnResult()
			.getResponseBody().get("id").toString();

		assertThat(again).isEqualTo(first);
		submitWithKey(key, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/other")) + "}]}").expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/idempotency-conflict")
			.jsonPath("$.jobId").isEqualTo(first);
	}

	@Test
	void jobsAreListedNewestFirstAndFilteredByLabelAndStatus() {
		String suite = "list-" + UUID.randomUUID().toString().substring(0, 8);
		String request = "\"requests\": [{\"url\": " + quoted(upstream.url("/ok/list")) + "}]";
		Object older = submit(KEY_A, "{" + request + ", \"labels\": {\"suite\": \"" + suite + "\"}}").get("id");
		Object newer = submit(KEY_A, "{" + request + ", \"labels\": {\"suite\": \"" + suite + "\", \"kind\": \"b\"}}")
			.get("id");
		awaitStatus(KEY_A, older, "COMPLETED");
		awaitStatus(KEY_A, newer, "COMPLETED");

		Map<String, Object> first = page("/api/v1/jobs?label=suite:" + suite + "&status=COMPLETED&limit=1");
		Map<String, Object> second = page((String) ((Map<String, Object>) first.get("links")).get("next"));

		assertThat(ids(first)).containsExactly(newer);
		assertThat(ids(second)).containsExactly(older);
		assertThat(ids(page("/api/v1/jobs?label=suite:" + suite + "&label=kind:b"))).containsExactly(newer);
		assertThat(ids(page("/api/v1/jobs?label=suite:" + suite + "&status=RUNNING"))).isEmpty();
	}

	@Test
	void aFinishedJobCanBeDeletedButARunningOneCannot() {
		Map<String, Object> running = submit(KEY_A, "{\"requests\": [{\"url\": "
				+ quoted(upstream.url("/never/" + UUID.randomUUID())) + "}]}");
		awaitStatus(KEY_A, running.get("id"), "RUNNING");

		delete(running.get("id")).expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/job-state")
			.jsonPath("$.jobStatus").isEqualTo("RUNNING");

		this.client.post().uri("/api/v1/jobs/" + running.get("id") + "/cancel").header("X-API-Key", KEY_A).exchange()
			.expectStatus().isAccepted();
		awaitStatus(KEY_A, running.get("id"), "CANCELLED");
		delete(running.get("id")).expectStatus().isNoContent();
		this.client.get().uri("/api/v1/jobs/" + running.get("id")).header("X-API-Key", KEY_A).exchange()
			.expectStatus().isNotFound();
	}

	@Test
	void failuresAreResultsNotErrors() {
		// 500, not 503: a 503 slows the host down for a while (Throttle), and this application and its
		// upstream are shared by the other test classes. The blocked address is a loopback one outside
		// the allowed network: were the rule broken, the request would still stay on this machine.
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/status/500"))
				+ "}, {\"url\": \"http://127.0.0.2/\"}]}");

		Map<String, Object> done = awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		assertThat((Map<String, Object>) ((Map<String, Object>) done.get("progress")).get("counts"))
			.containsEntry("HTTP_ERROR", 1)
			.containsEntry("BLOCKED", 1);
		List<Map<String, Object>> results = resultItems("/api/v1/jobs/" + job.get("id") + "/results?outcome=BLOCKED");
		assertThat(results).hasSize(1);
		assertThat(results.get(0)).containsEntry("index", 1);
		assertThat((Map<String, Object>) results.get(0).get("error")).containsEntry("kind", "ADDRESS_BLOCKED");
	}

	@Test
	void requestHeadersAreNeverReturnedNorLogged(CapturedOutput output) {
		String secret = "s3cret-" + UUID.randomUUID();
		String headers = "\"headers\": {\"Authorization\": \"Bearer " + secret + "\"}";
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/secret")) + ", "
				+ headers + "}, {\"url\": " + quoted(upstream.url("/status/500")) + ", " + headers
				+ "}, {\"url\": \"http://127.0.0.2/\", " + headers + "}]}");
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		String results = this.client.get().uri("/api/v1/jobs/" + job.get("id") + "/results?includeBody=true")
			.header("X-API-Key", KEY_A).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
			.getResponseBody();
		String stream = this.client.get().uri("/api/v1/jobs/" + job.get("id") + "/results")
			.header("X-API-Key", KEY_A).accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		String list = this.client.get().uri("/api/v1/jobs").header("X-API-Key", KEY_A).exchange().expectStatus()
			.isOk().expectBody(String.class).returnResult().getResponseBody();

		assertThat(upstream.authorizations()).contains("Bearer " + secret);
		assertThat(job.toString() + job(KEY_A, job.get("id")) + results + stream + list).doesNotContain(secret);
		assertThat(output.getAll()).doesNotContain(secret);
	}

	private WebTestClient.ResponseSpec submitWithKey(String idempotencyKey, String body) {
		return this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.header("Idempotency-Key", idempotencyKey)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private WebTestClient.ResponseSpec delete(Object id) {
		return this.client.delete().uri("/api/v1/jobs/" + id).header("X-API-Key", KEY_A).exchange();
	}

	private Map<String, Object> page(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", KEY_A).exchange().expectStatus().isOk()
			.expectBody(JSON_OBJECT).returnResult().getResponseBody();
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> resultItems(String uri) {
		return (List<Map<String, Object>>) page(uri).get("items");
	}

	@SuppressWarnings("unchecked")
	private static List<Object> indexes(Map<String, Object> page) {
		return ((List<Map<String, Object>>) page.get("items")).stream().map((item) -> item.get("index")).toList();
	}

	@SuppressWarnings("unchecked")
	private static List<Object> ids(Map<String, Object> page) {
		return ((List<Map<String, Object>>) page.get("items")).stream().map((item) -> item.get("id")).toList();
	}

}
