package io.fanout.api.jobs;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reruns ({@code POST /api/v1/jobs/{id}/rerun}) and delayed jobs ({@code notBefore}) through the
 * API, against a real upstream. That a delayed job is not claimed before its time is proven with a
 * settable clock in the scheduler's tests; here, what the API accepts, shows and refuses.
 */
@SuppressWarnings("unchecked")
class RerunsAndDelayedJobsIntegrationTests extends FanoutIntegrationTest {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	// Reruns

	@Test
	void rerunRunsWhatFailedAgainWithItsHeadersAndLinksBothWays() {
		String secret = "Bearer rerun-secret-" + UUID.randomUUID();
		Map<String, Object> original = submit(KEY_A, """
				{"name": "mixed", "labels": {"suite": "rerun"}, "requests": [
				  {"url": %s},
				  {"url": %s, "headers": {"Authorization": %s}},
				  {"url": %s}]}""".formatted(quoted(upstream.url("/ok/rerun-a")),
				quoted(upstream.url("/status/500/rerun-b")), quoted(secret), quoted(upstream.url("/ok/rerun-c"))));
		awaitStatus(KEY_A, original.get("id"), "COMPLETED");

		WebTestClient.ResponseSpec response = rerun(KEY_A, original.get("id"), null, null);
		Map<String, Object> rerun = response.expectStatus().isAccepted().expectBody(JSON_OBJECT).returnResult()
			.getResponseBody();
		assertThat(rerun).containsEntry("rerunOf", original.get("id")).containsEntry("name", "mixed")
			.containsEntry("labels", Map.of("suite", "rerun"));
		assertThat((Map<String, Object>) rerun.get("progress")).containsEntry("total", 1);
		awaitStatus(KEY_A, rerun.get("id"), "COMPLETED");

		List<Map<String, Object>> results = (List<Map<String, Object>>) page(KEY_A,
				"/api/v1/jobs/" + rerun.get("id") + "/results").get("items");
		assertThat(results).singleElement().satisfies((result) -> {
			assertThat(result).containsEntry("index", 0).containsEntry("sourceIndex", 1)
				.containsEntry("outcome", "HTTP_ERROR").containsEntry("url", upstream.url("/status/500/rerun-b"));
		});
		assertThat(upstream.authorizations().stream().filter(secret::equals)).hasSize(2);
		assertThat(job(KEY_A, original.get("id"))).containsEntry("reruns", List.of(rerun.get("id")));
		// Listing stays cheap: it shows no reruns.
		Map<String, Object> listed = page(KEY_A, "/api/v1/jobs?label=suite:rerun&limit=5");
		assertThat((List<Map<String, Object>>) listed.get("items")).allSatisfy((job) -> assertThat(job)
			.doesNotContainKey("reruns"));
		assertThat(List.of(rerun, job(KEY_A, original.get("id"))).toString()).doesNotContain(secret);
	}

	@Test
	void rerunTakesAFilterAndOverridesAndAnIdempotencyKey() {
		Map<String, Object> original = submit(KEY_A, """
				{"requests": [{"url": %s}, {"url": %s}], "concurrency": 1}""".formatted(
				quoted(upstream.url("/ok/rerun-filter-a")), quoted(upstream.url("/status/404/rerun-filter-b"))));
		awaitStatus(KEY_A, original.get("id"), "COMPLETED");
		String body = "{\"outcomes\": [\"SUCCEEDED\"], \"name\": \"again\", \"priority\": 9, \"concurrency\": 4}";
		Map<String, Object> first = rerun(KEY_A, original.get("id"), body, "rerun-key-1").expectStatus().isAccepted()
			.expectBody(JSON_OBJECT).returnResult().getResponseBody();
		assertThat(first).containsEntry("name", "again").containsEntry("priority", 9);
		Map<String, Object> again = rerun(KEY_A, original.get("id"), body, "rerun-key-1").expectStatus().isAccepted()
			.expectBody(JSON_OBJECT).returnResult().getResponseBody();
		assertThat(again.get("id")).isEqualTo(first.get("id"));
		rerun(KEY_A, original.get("id"), "{\"outcomes\": [\"HTTP_ERROR\"]}", "rerun-key-1").expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT).expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/idempotency-conflict");
		awaitStatus(KEY_A, first.get("id"), "COMPLETED");
		List<Map<String, Object>> results = (List<Map<String, Object>>) page(KEY_A,
				"/api/v1/jobs/" + first.get("id") + "/results").get("items");
		assertThat(results).singleElement().satisfies((result) -> assertThat(result).containsEntry("sourceIndex", 0)
			.containsEntry("outcome", "SUCCEEDED"));
	}

	@Test
	void rerunIsRefusedWithAProblemForEachReason() {
		Map<String, Object> succeeded = submit(KEY_A, "{\"requests\": [{\"url\": %s}]}".formatted(
				quoted(upstream.url("/ok/rerun-refused"))));
		awaitStatus(KEY_A, succeeded.get("id"), "COMPLETED");
		rerun(KEY_A, succeeded.get("id"), null, null).expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/nothing-to-rerun");
		rerun(KEY_B, succeeded.get("id"), null, null).expectStatus().isNotFound().expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/not-found");
		rerun(KEY_A, UUID.randomUUID(), null, null).expectStatus().isNotFound();
		rerun(KEY_A, succeeded.get("id"), "{\"outcomes\": [\"SUCCEEDED\"], \"concurrency\": 0, \"priority\": 5000}",
				null)
			.expectStatus().isBadRequest().expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/validation")
			.jsonPath("$.errors[*].field").value((fields) -> assertThat((List<String>) fields)
				.contains("concurrency", "priority"));
		rerun(KEY_A, succeeded.get("id"), "{\"outcomes\": [\"NOPE\"]}", null).expectStatus().isBadRequest();

		Map<String, Object> running = submit(KEY_A, "{\"requests\": [{\"url\": %s}]}".formatted(
				quoted(upstream.url("/never/rerun-running"))));
		awaitStatus(KEY_A, running.get("id"), "RUNNING");
		rerun(KEY_A, running.get("id"), null, null).expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/job-state")
			.jsonPath("$.jobStatus").isEqualTo("RUNNING");
		this.client.post().uri("/api/v1/jobs/" + running.get("id") + "/cancel").header("X-API-Key", KEY_A).exchange()
			.expectStatus().isAccepted();
		awaitStatus(KEY_A, running.get("id"), "CANCELLED");
		// A cancelled job's requests are CANCELLED: a rerun runs them.
		Map<String, Object> delayed = rerun(KEY_A, running.get("id"),
				"{\"notBefore\": \"" + Instant.now().plus(Duration.ofHours(1)) + "\"}", null)
			.expectStatus().isAccepted().expectBody(JSON_OBJECT).returnResult().getResponseBody();
		assertThat(delayed).containsEntry("rerunOf", running.get("id")).containsEntry("status", "QUEUED")
			.containsKey("notBefore");
		// Left queued, it would wait an hour in the context other test classes share.
		this.client.post().uri("/api/v1/jobs/" + delayed.get("id") + "/cancel").header("X-API-Key", KEY_A).exchange()
			.expectStatus().isAccepted();
	}

	// Delayed jobs

	@Test
	void delayedJobIsQueuedShowsItsTimeAndCanBeCancelled() {
		Instant later = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
		Map<String, Object> job = submit(KEY_A, "{\"notBefore\": \"%s\", \"requests\": [{\"url\": %s}]}".formatted(later,
				quoted(upstream.url("/ok/delayed"))));
		assertThat(job).containsEntry("status", "QUEUED").containsEntry("notBefore", later.toString());
		assertThat(job(KEY_A, job.get("id"))).containsEntry("status", "QUEUED")
			.containsEntry("notBefore", later.toString());
		this.client.post().uri("/api/v1/jobs/" + job.get("id") + "/cancel").header("X-API-Key", KEY_A).exchange()
			.expectStatus().isAccepted().expectBody().jsonPath("$.status").isEqualTo("CANCELLED");
		assertThat(upstream.hits("/ok/delayed")).isZero();
	}

	@Test
	void aPastTimeRunsAtOnceAndOneTooFarIsRefused() {
		Map<String, Object> job = submit(KEY_A, "{\"notBefore\": \"2020-01-01T00:00:00Z\", \"requests\": [{\"url\": %s}]}"
			.formatted(quoted(upstream.url("/ok/delayed-past"))));
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");
		this.client.post().uri("/api/v1/jobs").header("X-API-Key", KEY_A).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"notBefore\": \"" + Instant.now().plus(Duration.ofDays(31)) + "\", \"requests\": [{\"url\": "
					+ quoted(upstream.url("/ok/delayed-far")) + "}]}")
			.exchange().expectStatus().isBadRequest().expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("notBefore");
	}

	@Test
	void aScheduleTemplateMayNotBeDelayed() {
		this.client.post().uri("/api/v1/schedules").header("X-API-Key", KEY_A).contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\": \"delayed\", \"trigger\": {\"fixedRate\": \"PT1H\"}, \"template\": {\"notBefore\": "
					+ "\"2030-01-01T00:00:00Z\", \"requests\": [{\"url\": " + quoted(upstream.url("/ok/s")) + "}]}}")
			.exchange().expectStatus().isBadRequest().expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/validation")
			.jsonPath("$.errors[0].field").isEqualTo("template.notBefore");
	}

	private WebTestClient.ResponseSpec rerun(String key, Object id, String body, String idempotencyKey) {
		WebTestClient.RequestBodySpec request = this.client.post().uri("/api/v1/jobs/" + id + "/rerun")
			.header("X-API-Key", key);
		if (idempotencyKey != null) {
			request = request.header("Idempotency-Key", idempotencyKey);
		}
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

	private Map<String, Object> page(String key, String uri) {
		return this.client.get().uri(uri).header("X-API-Key", key).exchange().expectStatus().isOk()
			.expectBody(JSON_OBJECT).returnResult().getResponseBody();
	}

}
