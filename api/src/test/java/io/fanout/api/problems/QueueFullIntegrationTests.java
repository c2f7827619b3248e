package io.fanout.api.problems;

import java.util.Map;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

/**
 * A full queue refuses submissions with 429 and a {@code Retry-After}, while a retried submission
 * (same idempotency key) still finds its job. An instance without a worker keeps jobs queued.
 */
@TestPropertySource(properties = { "fanout.scheduler.worker-enabled=false", "fanout.scheduler.max-queued-jobs=1",
		"fanout.scheduler.queue-full-retry-after=3s" })
class QueueFullIntegrationTests extends FanoutIntegrationTest {

	@Test
	void aFullQueueIsTooManyRequestsWithRetryAfter() {
		String body = "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/queued")) + "}]}";
		Map<String, Object> queued = this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.header("Idempotency-Key", "first")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();

		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_B)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader()
			.valueEquals("Retry-After", "3")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/queue-full");

		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.header("Idempotency-Key", "first")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.id").isEqualTo(queued.get("id"))
			.jsonPath("$.status").isEqualTo("QUEUED");
	}

}
