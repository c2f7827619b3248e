package io.fanout.api.schedules;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schedules through the running application: created over REST, fired by the application's own
 * ticker every second, their jobs run against a real upstream; then paused, triggered, resumed,
 * replaced, listed and deleted, tenant by tenant, and every way a schedule request can fail.
 */
@SuppressWarnings("unchecked")
class SchedulesIntegrationTests extends FanoutIntegrationTest {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	@AfterEach
	void deleteSchedules() {
		for (String key : List.of(KEY_A, KEY_B)) {
			for (Map<String, Object> schedule : items(get(key, "/api/v1/schedules?limit=1000"))) {
				this.client.delete()
					.uri("/api/v1/schedules/" + schedule.get("id"))
					.header("X-API-Key", key)
					.exchange()
					.expectStatus()
					.isNoContent();
			}
		}
	}

	@Test
	void aScheduleLaunchesJobsOnItsOwnAndIsManagedThroughItsResource() {
		String suite = "schedule-" + UUID.randomUUID();
		WebTestClient.ResponseSpec response = send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "every-second", "trigger": {"fixedRate": "PT1S"}, "overlap": "ALLOW",
				 "template": {"requests": [{"url": %s, "extract": {"temperature": "$.tmp"}}],
				              "labels": {"suite": %s}}}""".formatted(quoted(upstream.url("/ok/scheduled")), quoted(suite)))
			.expectStatus()
			.isCreated();
		Map<String, Object> created = response.expectBody(JSON_OBJECT).returnResult().getResponseBody();
		String id = (String) created.get("id");
		String path = "/api/v1/schedules/" + id;
		response.expectHeader().location(path);
		assertThat(created).containsEntry("enabled", true).containsEntry("overlap", "ALLOW").containsKey("nextFireAt");

		// The application's ticker fires it every second; each fire is a job carrying the schedule's id.
		List<Map<String, Object>> jobs = Awaitility.await()
			.atMost(Duration.ofSeconds(15))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> items(get(KEY_A, "/api/v1/jobs?scheduleId=" + id)), (found) -> found.size() >= 2);
		assertThat(jobs).allSatisfy((job) -> {
			assertThat(job).containsEntry("scheduleId", id).containsEntry("name", "every-second");
			assertThat((Map<String, Object>) job.get("labels")).containsEntry("suite", suite);
		});
		awaitStatus(KEY_A, jobs.get(jobs.size() - 1).get("id"), "COMPLETED");
		Map<String, Object> fired = get(KEY_A, path);
		assertThat(fired).containsKeys("lastFiredAt", "nextFireAt");
		assertThat((Map<String, Object>) fired.get("lastJob")).containsKeys("id", "status");

		Map<String, Object> paused = post(KEY_A, path + "/pause", HttpStatus.OK);
		assertThat(paused).containsEntry("enabled", false).doesNotContainKey("nextFireAt");

		Map<String, Object> triggered = post(KEY_A, path + "/trigger", HttpStatus.ACCEPTED);
		assertThat(triggered).containsEntry("scheduleId", id).containsEntry("status", "QUEUED");
		awaitStatus(KEY_A, triggered.get("id"), "COMPLETED");
		assertThat(get(KEY_A, path)).doesNotContainKey("nextFireAt");

		Map<String, Object> resumed = post(KEY_A, path + "/resume", HttpStatus.OK);
		assertThat(resumed).containsEntry("enabled", true).containsKey("nextFireAt");

		Map<String, Object> replaced = send(this.client.put().uri(path), KEY_A, """
				{"name": "weekday-mornings", "trigger": {"cron": "0 0 7 * * MON-FRI", "timezone": "Europe/Paris"},
				 "enabled": false, "template": {"requests": [{"url": %s}]}}""".formatted(quoted(upstream.url("/ok/x"))))
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
		assertThat(replaced).containsEntry("name", "weekday-mornings").containsEntry("enabled", false);
		assertThat((Map<String, Object>) replaced.get("trigger")).containsEntry("cron", "0 0 7 * * MON-FRI")
			.containsEntry("timezone", "Europe/Paris");

		this.client.delete().uri(path).header("X-API-Key", KEY_A).exchange().expectStatus().isNoContent();
		problem(this.client.get().uri(path).header("X-API-Key", KEY_A).exchange(), HttpStatus.NOT_FOUND, "not-found");
		assertThat(items(get(KEY_A, "/api/v1/jobs?scheduleId=" + id))).as("its jobs stay").hasSizeGreaterThan(2);
	}

	@Test
	void schedulesAreListedNewestFirstAPageAtATime() {
		String older = create(KEY_A, "older");
		String newer = create(KEY_A, "newer");
		create(KEY_B, "other tenant");

		Map<String, Object> first = get(KEY_A, "/api/v1/schedules?limit=1");
		assertThat(items(first)).extracting((schedule) -> schedule.get("id")).containsExactly(newer);
		Map<String, Object> second = get(KEY_A, (String) ((Map<String, Object>) first.get("links")).get("next"));
		assertThat(items(second)).extracting((schedule) -> schedule.get("id")).containsExactly(older);
		assertThat(second).doesNotContainKey("nextCursor");
	}

	@Test
	void anotherTenantNeverSeesTheSchedule() {
		String path = "/api/v1/schedules/" + create(KEY_A, "private");

		notFound(this.client.get().uri(path).header("X-API-Key", KEY_B).exchange());
		notFound(send(this.client.put().uri(path), KEY_B, paused("taken over", upstream.url("/ok/tenant"))));
		notFound(this.client.post().uri(path + "/pause").header("X-API-Key", KEY_B).exchange());
		notFound(this.client.post().uri(path + "/resume").header("X-API-Key", KEY_B).exchange());
		notFound(this.client.post().uri(path + "/trigger").header("X-API-Key", KEY_B).exchange());
		notFound(this.client.delete().uri(path).header("X-API-Key", KEY_B).exchange());
		assertThat(items(get(KEY_B, "/api/v1/schedules"))).isEmpty();
		// Names are per tenant.
		create(KEY_B, "private");
		this.client.get().uri(path).header("X-API-Key", KEY_A).exchange().expectStatus().isOk();
	}

	@Test
	void invalidSchedulesAreBadRequestsNamingEachField() {
		problem(send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "bad", "trigger": {"cron": "0 */5 * * *", "timezone": "Mars/Olympus"},
				 "template": {"requests": [{"url": "file:///etc/passwd"}], "timeout": "PT0S"}}"""),
				HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[*].field")
			.value((fields) -> assertThat((List<Object>) fields).containsExactlyInAnyOrder("trigger.timezone",
					"trigger.cron", "template.requests[0].url", "template.timeout"));
		problem(send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "too-fast", "trigger": {"fixedRate": "PT0.2S"}, "template": {"requests": [{"url": %s}]}}"""
			.formatted(quoted(upstream.url("/ok/fast")))), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("trigger.fixedRate")
			.jsonPath("$.errors[0].message").isEqualTo("a fixed rate must be at least PT1S");
		problem(send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "never", "trigger": {"cron": "0 0 0 30 2 *"}, "template": {"requests": [{"url": %s}]}}"""
			.formatted(quoted(upstream.url("/ok/never")))), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("trigger.cron")
			.jsonPath("$.errors[0].message").isEqualTo("the cron expression never fires");
		problem(send(this.client.post().uri("/api/v1/schedules"), KEY_A, "{\"name\": "), HttpStatus.BAD_REQUEST,
				"malformed-json");
		problem(this.client.post()
			.uri("/api/v1/schedules")
			.header("X-API-Key", KEY_A)
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("every day")
			.exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
		problem(this.client.get().uri("/api/v1/schedules").exchange(), HttpStatus.UNAUTHORIZED, "unauthorized");
	}

	@Test
	void conflictsAreNamed() {
		String existing = create(KEY_A, "prices");
		problem(send(this.client.post().uri("/api/v1/schedules"), KEY_A, paused("prices", upstream.url("/ok/p"))),
				HttpStatus.CONFLICT,
				"schedule-name-taken")
			.jsonPath("$.scheduleId").isEqualTo(existing);

		// SKIP, its job still going: running it again by hand launches nothing.
		String hanging = "/api/v1/schedules/" + create(KEY_A, "hanging", upstream.url("/never/" + UUID.randomUUID()));
		Map<String, Object> job = post(KEY_A, hanging + "/trigger", HttpStatus.ACCEPTED);
		problem(this.client.post().uri(hanging + "/trigger").header("X-API-Key", KEY_A).exchange(), HttpStatus.CONFLICT,
				"schedule-overlap")
			.jsonPath("$.jobId").isEqualTo(job.get("id"))
			.jsonPath("$.jobStatus").value((status) -> assertThat(status).isIn("QUEUED", "RUNNING"));
		assertThat(get(KEY_A, hanging)).containsEntry("skippedCount", 1);
		this.client.post()
			.uri("/api/v1/jobs/" + job.get("id") + "/cancel")
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isAccepted();
		awaitStatus(KEY_A, job.get("id"), "CANCELLED");
	}

	@Test
	void aScheduleReadBackIsSentBackWithPutAsItIsKeepingItsStoredHeadersAndBody() {
		String echo = upstream.url("/echo");
		Map<String, Object> created = send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "round-trip", "enabled": false, "trigger": {"fixedRate": "PT1M"},
				 "template": {"requests": [
				   {"url": %s, "method": "POST", "headers": {"Authorization": "Bearer kept-s3cret"}, "body": "kept body"},
				   {"url": %s}]}}""".formatted(quoted(echo), quoted(upstream.url("/ok/round-trip"))))
			.expectStatus()
			.isCreated()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
		String path = "/api/v1/schedules/" + created.get("id");

		// Fixed rate: read back, the trigger has no time zone and the template hides the header values and body.
		Map<String, Object> fixedRate = get(KEY_A, path);
		assertThat((Map<String, Object>) fixedRate.get("trigger")).containsOnlyKeys("fixedRate");
		List<Map<String, Object>> requests = (List<Map<String, Object>>) ((Map<String, Object>) fixedRate
			.get("template")).get("requests");
		assertThat(requests.get(0)).containsEntry("headerNames", List.of("Authorization"))
			.containsEntry("hasBody", true)
			.doesNotContainKeys("headers", "body");
		assertThat(requests.get(1)).containsEntry("headerNames", List.of()).containsEntry("hasBody", false);
		assertThat(fixedRate.toString()).doesNotContain("kept-s3cret").doesNotContain("kept body");
		assertThat(put(KEY_A, path, fixedRate)).containsEntry("template", fixedRate.get("template"))
			.containsEntry("trigger", fixedRate.get("trigger"));

		// Cron: the same, its time zone included.
		Map<String, Object> toCron = new LinkedHashMap<>(fixedRate);
		toCron.put("trigger", Map.of("cron", "0 0 7 * * MON-FRI", "timezone", "Europe/Paris"));
		put(KEY_A, path, toCron);
		Map<String, Object> cron = get(KEY_A, path);
		assertThat((Map<String, Object>) cron.get("trigger")).containsEntry("timezone", "Europe/Paris");
		assertThat(put(KEY_A, path, cron)).containsEntry("trigger", cron.get("trigger"))
			.containsEntry("template", fixedRate.get("template"));

		// The job it launches still sends the stored header and body.
		Map<String, Object> job = post(KEY_A, path + "/trigger", HttpStatus.ACCEPTED);
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");
		Map<String, Object> first = items(get(KEY_A, "/api/v1/jobs/" + job.get("id") + "/results?includeBody=true"))
			.get(0);
		assertThat((String) first.get("body")).startsWith("POST kept body")
			.endsWith("auth=Bearer kept-s3cret traceparent=null");
	}

	@Test
	void aTemplateThatNamesWhatIsNotStoredIsABadRequest() {
		String echo = upstream.url("/echo");
		String path = "/api/v1/schedules/" + send(this.client.post().uri("/api/v1/schedules"), KEY_A, """
				{"name": "named", "enabled": false, "trigger": {"fixedRate": "PT1M"},
				 "template": {"requests": [{"url": %s, "headers": {"Authorization": "Bearer s3cret"}}]}}"""
			.formatted(quoted(echo)))
			.expectStatus()
			.isCreated()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody()
			.get("id");

		// Another URL at the same position: nothing to keep from.
		problem(send(this.client.put().uri(path), KEY_A, """
				{"name": "named", "trigger": {"fixedRate": "PT1M"},
				 "template": {"requests": [{"url": %s, "headerNames": ["Authorization"], "hasBody": true}]}}"""
			.formatted(quoted(upstream.url("/ok/elsewhere")))), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[*].field")
			.isEqualTo(List.of("template.requests[0].headerNames", "template.requests[0].hasBody"));
		// A header it does not have, a body it does not have.
		problem(send(this.client.put().uri(path), KEY_A, """
				{"name": "named", "trigger": {"fixedRate": "PT1M"},
				 "template": {"requests": [{"url": %s, "headerNames": ["Authorization", "X-Other"], "hasBody": true}]}}"""
			.formatted(quoted(echo))), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[*].field")
			.isEqualTo(List.of("template.requests[0].headerNames[1]", "template.requests[0].hasBody"));
		// A job has nothing stored.
		problem(send(this.client.post().uri("/api/v1/jobs"), KEY_A, """
				{"requests": [{"url": %s, "headerNames": ["Authorization"]}]}""".formatted(quoted(echo))),
				HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[*].field")
			.isEqualTo(List.of("requests[0].headerNames"));
		assertThat(((List<Map<String, Object>>) ((Map<String, Object>) get(KEY_A, path).get("template"))
			.get("requests")).get(0)).containsEntry("headerNames", List.of("Authorization"));
	}

	/** Creates a paused schedule named {@code name}; answers its id. */
	private String create(String key, String name) {
		return create(key, name, upstream.url("/ok/" + UUID.randomUUID()));
	}

	private String create(String key, String name, String url) {
		return (String) send(this.client.post().uri("/api/v1/schedules"), key, paused(name, url))
			.expectStatus()
			.isCreated()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody()
			.get("id");
	}

	/** A paused schedule, which nothing fires but a trigger, of one request to {@code url}. */
	private static String paused(String name, String url) {
		return "{\"name\": " + quoted(name) + ", \"enabled\": false, \"trigger\": {\"fixedRate\": \"PT1M\"}, "
				+ "\"template\": {\"requests\": [{\"url\": " + quoted(url) + "}]}}";
	}

	private WebTestClient.ResponseSpec send(WebTestClient.RequestBodySpec request, String key, String json) {
		return request.header("X-API-Key", key).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	private Map<String, Object> get(String key, String uri) {
		return this.client.get()
			.uri(uri)
			.header("X-API-Key", key)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

	private Map<String, Object> put(String key, String uri, Map<String, Object> body) {
		return this.client.put()
			.uri(uri)
			.header("X-API-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

	private Map<String, Object> post(String key, String uri, HttpStatus status) {
		return this.client.post()
			.uri(uri)
			.header("X-API-Key", key)
			.exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectBody(JSON_OBJECT)
			.returnResult()
			.getResponseBody();
	}

	private static List<Map<String, Object>> items(Map<String, Object> page) {
		return (List<Map<String, Object>>) page.get("items");
	}

	private static void notFound(WebTestClient.ResponseSpec response) {
		problem(response, HttpStatus.NOT_FOUND, "not-found");
	}

	private static WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, HttpStatus status,
			String type) {
		return response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/" + type);
	}

}
