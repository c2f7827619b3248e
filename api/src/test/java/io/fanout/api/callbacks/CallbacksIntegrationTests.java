package io.fanout.api.callbacks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fanout.api.support.FanoutIntegrationTest;
import io.fanout.test.TestReceiver;
import io.fanout.test.WebhookVerifier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callbacks through the API, against receivers on loopback: signed with either of the tenant's two
 * secrets during a rotation, visible on the job, given up after a short retry period and delivered
 * again on request; refused for a tenant without a secret.
 */
@TestPropertySource(properties = { "fanout.callbacks.secrets.tenant-a=" + CallbacksIntegrationTests.OLD_SECRET + ","
		+ CallbacksIntegrationTests.NEW_SECRET, "fanout.callbacks.poll-interval=100ms",
		"fanout.callbacks.request-timeout=300ms", "fanout.callbacks.lease-duration=2s",
		"fanout.callbacks.initial-backoff=100ms", "fanout.callbacks.max-backoff=200ms",
		"fanout.callbacks.retry-period=1s" })
class CallbacksIntegrationTests extends FanoutIntegrationTest {

	static final String OLD_SECRET = "whsec_b2xkLXNlY3JldC1vZi10ZW5hbnQtYS0zMi1ieXRlcyE=";

	static final String NEW_SECRET = "whsec_bmV3LXNlY3JldC1vZi10ZW5hbnQtYS0zMi1ieXRlcyE=";

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final TestReceiver receiver = new TestReceiver();

	private final JsonMapper json = JsonMapper.builder().build();

	@AfterAll
	static void closeReceiver() {
		receiver.close();
	}

	@Test
	void theSubscribedEventArrivesSignedWithEitherSecretAndIsVisibleOnTheJob() throws Exception {
		String path = "/hooks/visible";
		Map<String, Object> submitted = submit(KEY_A, job(path, "[\"COMPLETED\"]", "\"X-Receiver-Token\": \"t0ken-9f2\""));
		assertThat(submitted).containsKey("callback").containsEntry("deliveries", List.of());
		Object id = submitted.get("id");
		awaitStatus(KEY_A, id, "COMPLETED");
		TestReceiver.Received request = Awaitility.await().atMost(WAIT).until(() -> received(path), (list) -> !list.isEmpty()).get(0);

		for (String secret : List.of(OLD_SECRET, NEW_SECRET)) {
			assertThat(WebhookVerifier.verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
					request.header("webhook-signature"), request.body(), Instant.now())).as(secret).isTrue();
		}
		assertThat(request.header("x-receiver-token")).isEqualTo("t0ken-9f2");
		Map<String, Object> event = this.json.readValue(request.body(), Map.class);
		assertThat(event).containsEntry("type", "job.completed").containsKey("timestamp");
		Map<String, Object> data = (Map<String, Object>) event.get("data");
		assertThat(data).containsEntry("id", id).containsEntry("status", "COMPLETED");
		assertThat((Map<String, Object>) ((Map<String, Object>) data.get("progress")).get("counts"))
			.containsEntry("SUCCEEDED", 1);

		Map<String, Object> delivered = Awaitility.await()
			.atMost(WAIT)
			.until(() -> job(KEY_A, id), (job) -> "DELIVERED".equals(onlyDelivery(job).get("status")));
		assertThat(delivered.get("callback")).isEqualTo(Map.of("url", receiver.url(path), "events", List.of("COMPLETED")));
		assertThat(onlyDelivery(delivered)).containsEntry("type", "job.completed")
			.containsEntry("webhookId", request.header("webhook-id"))
			.containsEntry("attempts", 1)
			.containsEntry("lastStatusCode", 200)
			.containsKey("deliveredAt");
		assertThat(this.json.writeValueAsString(delivered)).doesNotContain("t0ken-9f2");
		Thread.sleep(300);
		assertThat(received(path)).as("delivered once").hasSize(1);
	}

	@Test
	void aScheduleReadBackAndPutAsItIsKeepsItsCallbackHeaders() {
		String path = "/hooks/scheduled";
		Map<String, Object> created = call("POST", "/api/v1/schedules", """
				{"name": "with-callback", "enabled": false, "trigger": {"fixedRate": "PT1H"},
				 "template": {"requests": [{"url": %s}],
				              "callback": {"url": %s, "events": ["COMPLETED"], "headers": {"X-Receiver-Token": "sch3dule-t0ken"}}}}"""
			.formatted(quoted(upstream.url("/ok/scheduled")), quoted(receiver.url(path))), 201);
		String schedule = "/api/v1/schedules/" + created.get("id");
		Map<String, Object> read = call("GET", schedule, null, 200);
		Map<String, Object> callback = (Map<String, Object>) ((Map<String, Object>) read.get("template")).get("callback");
		assertThat(callback).containsEntry("headerNames", List.of("X-Receiver-Token")).doesNotContainKey("headers");
		assertThat(read.toString()).doesNotContain("sch3dule-t0ken");

		call("PUT", schedule, this.json.writeValueAsString(read), 200);
		Object jobId = call("POST", schedule + "/trigger", null, 202).get("id");
		awaitStatus(KEY_A, jobId, "COMPLETED");
		TestReceiver.Received request = Awaitility.await().atMost(WAIT).until(() -> received(path), (list) -> !list.isEmpty()).get(0);
		assertThat(request.header("x-receiver-token")).as("kept through the round trip").isEqualTo("sch3dule-t0ken");

		// Names a header the stored callback does not have, or the stored callback had another URL: a 400.
		callback.put("headerNames", List.of("X-Receiver-Token", "X-Other"));
		assertThat(call("PUT", schedule, this.json.writeValueAsString(read), 400).toString())
			.contains("template.callback.headerNames[1]");
		callback.put("headerNames", List.of("X-Receiver-Token"));
		callback.put("url", receiver.url("/hooks/elsewhere"));
		assertThat(call("PUT", schedule, this.json.writeValueAsString(read), 400).toString())
			.contains("template.callback.headerNames");
	}

	@Test
	void aRerunInheritsTheCallbackAndItsAnswerShowsIt() {
		String path = "/hooks/rerun";
		Object original = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/status/500/cb-rerun"))
				+ "}], \"callback\": {\"url\": " + quoted(receiver.url(path)) + ", \"events\": [\"COMPLETED\"]}}")
			.get("id");
		awaitStatus(KEY_A, original, "COMPLETED");
		Map<String, Object> rerun = call("POST", "/api/v1/jobs/" + original + "/rerun", null, 202);
		assertThat(rerun.get("callback")).isEqualTo(Map.of("url", receiver.url(path), "events", List.of("COMPLETED")));
		assertThat(rerun).containsEntry("deliveries", List.of());
		awaitStatus(KEY_A, rerun.get("id"), "COMPLETED");
		Awaitility.await().atMost(WAIT).until(() -> received(path), (list) -> list.size() == 2);
	}

	@Test
	void aSilentReceiverLeavesTheDeliveryFailedAndTheApiDeliversItAgain() {
		String path = "/hooks/silent";
		receiver.answering(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
		Object id = submit(KEY_A, job(path, null, null)).get("id");
		Map<String, Object> failed = Awaitility.await()
			.atMost(WAIT)
			.until(() -> job(KEY_A, id), (job) -> "FAILED".equals(onlyDelivery(job).get("status")));
		Map<String, Object> delivery = onlyDelivery(failed);
		assertThat((Integer) delivery.get("attempts")).isGreaterThan(1);
		assertThat((String) delivery.get("lastError")).contains("TIMED_OUT");
		int silentAttempts = received(path).size();
		receiver.answeringByDefault(200);
		drainScript();

		this.client.post()
			.uri("/api/v1/jobs/{id}/callback/redeliver?deliveryId={delivery}", id, delivery.get("id"))
			.header("X-API-Key", KEY_B)
			.exchange()
			.expectStatus()
			.isNotFound();
		this.client.post()
			.uri("/api/v1/jobs/{id}/callback/redeliver", id)
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("PENDING")
			.jsonPath("$.webhookId")
			.isEqualTo(delivery.get("webhookId"));
		Awaitility.await()
			.atMost(WAIT)
			.until(() -> job(KEY_A, id), (job) -> "DELIVERED".equals(onlyDelivery(job).get("status")));
		assertThat(received(path)).hasSizeGreaterThan(silentAttempts)
			.extracting((request) -> request.header("webhook-id"))
			.containsOnly((String) delivery.get("webhookId"));
	}

	@Test
	void redeliveryWithoutACallbackOrBeforeTheJobEndsIsAConflict() {
		Object plain = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/plain")) + "}]}").get("id");
		awaitStatus(KEY_A, plain, "COMPLETED");
		this.client.post()
			.uri("/api/v1/jobs/{id}/callback/redeliver", plain)
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.detail")
			.value((detail) -> assertThat((String) detail).contains("has no callback"));
		Object hanging = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/never/redeliver"))
				+ "}], \"callback\": {\"url\": " + quoted(receiver.url("/hooks/later")) + "}}").get("id");
		this.client.post()
			.uri("/api/v1/jobs/{id}/callback/redeliver", hanging)
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.detail")
			.value((detail) -> assertThat((String) detail).contains("no callback delivery yet"));
		this.client.post().uri("/api/v1/jobs/{id}/cancel", hanging).header("X-API-Key", KEY_A).exchange();
	}

	@Test
	void aTenantWithoutASecretOrAnInvalidCallbackIsABadRequest() {
		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_B)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(job("/hooks/b", null, null))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("callback")
			.jsonPath("$.errors[0].message")
			.value((message) -> assertThat((String) message).contains("fanout.callbacks.secrets.[tenant-b]"));
		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/x"))
					+ "}], \"callback\": {\"url\": \"ftp://example.com/\", \"progressEvery\": 5, "
					+ "\"headers\": {\"webhook-id\": \"mine\"}}}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[*].field")
			.value((fields) -> assertThat((List<String>) fields).contains("callback.url"));
	}

	private String job(String path, String events, String headers) {
		return "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/callback" + path)) + "}], \"callback\": {\"url\": "
				+ quoted(receiver.url(path)) + ((events != null) ? ", \"events\": " + events : "")
				+ ((headers != null) ? ", \"headers\": {" + headers + "}" : "") + "}}";
	}

	private Map<String, Object> call(String method, String uri, String body, int status) {
		WebTestClient.RequestBodySpec request = this.client.method(HttpMethod.valueOf(method))
			.uri(uri)
			.header("X-API-Key", KEY_A);
		WebTestClient.RequestHeadersSpec<?> sent = (body != null)
				? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
		return sent.exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

	private static List<TestReceiver.Received> received(String path) {
		return receiver.received().stream().filter((request) -> request.path().equals(path)).toList();
	}

	/** Uses up what is left of a script, so that the default answers from now on. */
	private static void drainScript() {
		receiver.clearScript();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> onlyDelivery(Map<String, Object> job) {
		List<Map<String, Object>> deliveries = (List<Map<String, Object>>) job.get("deliveries");
		return (deliveries != null && deliveries.size() == 1) ? deliveries.get(0) : Map.of();
	}

}
