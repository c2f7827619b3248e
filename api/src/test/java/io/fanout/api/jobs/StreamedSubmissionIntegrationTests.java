package io.fanout.api.jobs;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs submitted as NDJSON: the settings line, then one request per line, read and checked as they
 * come. The application's limit here is 1,000 requests a job.
 */
class StreamedSubmissionIntegrationTests extends FanoutIntegrationTest {

	private static final String SETTINGS = "{\"name\": \"streamed\", \"concurrency\": 50, \"labels\": {\"kind\": \"crawl\"}}";

	@Test
	void requestsOneALineRunAndKeepTheirOrder() {
		String lines = IntStream.range(0, 300)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/ok/streamed-" + i)) + "}")
			.collect(Collectors.joining("\n", SETTINGS + "\n", "\n"));

		Map<String, Object> job = post(KEY_A, lines, null).expectStatus()
			.isAccepted()
			.expectBody(MAP)
			.returnResult()
			.getResponseBody();

		assertThat(job.get("name")).isEqualTo("streamed");
		Map<String, Object> done = awaitStatus(KEY_A, job.get("id"), "COMPLETED");
		assertThat(done.get("progress")).asString().contains("total=300").contains("SUCCEEDED=300");
		Map<String, Object> page = read(KEY_A, "/api/v1/jobs/" + job.get("id") + "/results?outcome=SUCCEEDED&limit=1000");
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> results = (List<Map<String, Object>>) page.get("items");
		assertThat(results).hasSize(300);
		assertThat(results.get(0).get("url")).asString().endsWith("/ok/streamed-0");
		assertThat(results.get(299).get("url")).asString().endsWith("/ok/streamed-299");
	}

	@Test
	void aRetryWithTheSameKeyAndLinesGetsTheSameJob() {
		String lines = SETTINGS + "\n{\"url\": " + quoted(upstream.url("/ok/once")) + "}\n";
		Object first = post(KEY_A, lines, "streamed-retry-1").expectStatus().isAccepted().expectBody(MAP).returnResult()
			.getResponseBody().get("id");
		Object again = post(KEY_A, lines, "streamed-retry-1").expectStatus().isAccepted().expectBody(MAP).returnResult()
			.getResponseBody().get("id");
		assertThat(again).isEqualTo(first);
		post(KEY_A, lines.replace("/ok/once", "/ok/other"), "streamed-retry-1").expectStatus()
			.isEqualTo(422);
	}

	@Test
	void anInvalidLineIsNamedByItsRequest() {
		String lines = SETTINGS + "\n{\"url\": " + quoted(upstream.url("/ok/a")) + "}\n{\"url\": \"ftp://x/\"}\n"
				+ "[1, 2]\n";
		post(KEY_A, lines, null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests[1].url");
		post(KEY_A, SETTINGS + "\n{\"url\": " + quoted(upstream.url("/ok/a")) + "}\n[1, 2]\n", null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests[1]");
		post(KEY_A, SETTINGS + "\n{\"url\": " + quoted(upstream.url("/ok/a")) + "}\n{\"url\": 5, \"headers\": 3}\n", null)
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests[1]");
	}

	@Test
	void theSettingsLineComesFirstAndHoldsNoRequests() {
		post(KEY_A, "", null).expectStatus().isBadRequest().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
		post(KEY_A, SETTINGS + "\n", null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests");
		post(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/a")) + "}]}\n", null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests");
		post(KEY_A, "{\"concurrency\": \"many\"}\n", null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("settings");
	}

	@Test
	void oneRequestMoreThanTheLimitIsRefusedWithoutReadingTheRest() {
		String lines = IntStream.range(0, 1500)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/ok/too-many-" + i)) + "}")
			.collect(Collectors.joining("\n", SETTINGS + "\n", "\n"));
		post(KEY_A, lines, null).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("requests")
			.jsonPath("$.errors[0].message").value((message) -> assertThat(message).asString().contains("at most 1000")
				.doesNotContain("not 1001"));
		assertThat(upstream.hits("/ok/too-many-0")).isZero();
	}

	@Test
	void needsAKeyThatMaySubmit() {
		post(VIEWER_KEY_A, SETTINGS + "\n{\"url\": " + quoted(upstream.url("/ok/a")) + "}\n", null).expectStatus()
			.isForbidden();
		this.client.post()
			.uri("/api/v1/jobs/stream")
			.contentType(MediaType.APPLICATION_NDJSON)
			.bodyValue(SETTINGS + "\n")
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	private WebTestClient.ResponseSpec post(String key, String lines, String idempotencyKey) {
		WebTestClient.RequestBodySpec request = this.client.post()
			.uri("/api/v1/jobs/stream")
			.header("X-API-Key", key)
			.contentType(MediaType.APPLICATION_NDJSON);
		if (idempotencyKey != null) {
			request = request.header("Idempotency-Key", idempotencyKey);
		}
		return request.bodyValue(lines).exchange();
	}

	private static final org.springframework.core.ParameterizedTypeReference<Map<String, Object>> MAP =
			new org.springframework.core.ParameterizedTypeReference<>() {
			};

}
