package io.fanout.api.problems;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each tenant quota at its bound: submissions and schedule creations over one are refused with 429
 * {@code quota-exceeded}, naming the quota, with {@code Retry-After}; a finished (or deleted) job and
 * a deleted schedule free their place; {@code GET /api/v1/limits} shows the tenant where it stands.
 * Tenant A's quotas are small; tenant B's stored bytes and requests in flight are.
 */
@TestPropertySource(properties = { "fanout.scheduler.quotas.retry-after=7s",
		"fanout.scheduler.quotas.tenants.tenant-a.queued-jobs=1",
		"fanout.scheduler.quotas.tenants.tenant-a.running-jobs=1",
		"fanout.scheduler.quotas.tenants.tenant-a.schedules=1",
		"fanout.scheduler.quotas.tenants.tenant-a.weight=3",
		"fanout.scheduler.quotas.tenants.tenant-b.stored-bytes=1B",
		"fanout.scheduler.quotas.tenants.tenant-b.requests-in-flight=2" })
class QuotasIntegrationTests extends FanoutIntegrationTest {

	private static final String QUOTA_EXCEEDED = "https://fanout.io/problems/quota-exceeded";

	@Test
	void queuedJobsQuotaRefusesAtItsBoundAndAFinishedJobFreesIt() {
		// The first job runs (running-jobs quota 1), the second waits: one queued, the quota's bound.
		Map<String, Object> first = submit(KEY_A, job("/gate/quota-first/0"));
		awaitStatus(KEY_A, first.get("id"), "RUNNING");
		Map<String, Object> second = submit(KEY_A, job("/ok/quota-second"));
		assertThat(job(KEY_A, second.get("id"))).containsEntry("status", "QUEUED");

		refused(post("/api/v1/jobs", KEY_A, job("/ok/quota-third")), "QUEUED_JOBS", 1, 1);
		this.client.get()
			.uri("/api/v1/limits")
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.tenant").isEqualTo("tenant-a")
			.jsonPath("$.weight").isEqualTo(3)
			.jsonPath("$.quotas.queuedJobs.limit").isEqualTo(1)
			.jsonPath("$.quotas.queuedJobs.usage").isEqualTo(1)
			.jsonPath("$.quotas.runningJobs.limit").isEqualTo(1)
			.jsonPath("$.quotas.runningJobs.usage").isEqualTo(1)
			.jsonPath("$.quotas.requestsInFlight.limit").isEqualTo(1000)
			.jsonPath("$.quotas.requestsInFlight.usage").doesNotExist()
			.jsonPath("$.quotas.storedBytes.limit").isEqualTo(1024L * 1024 * 1024);

		// The running job ends: the queued one runs, and the queue has room for the tenant again.
		upstream.open("quota-first");
		awaitStatus(KEY_A, first.get("id"), "COMPLETED");
		awaitStatus(KEY_A, second.get("id"), "COMPLETED");
		Map<String, Object> third = submit(KEY_A, job("/ok/quota-third"));
		awaitStatus(KEY_A, third.get("id"), "COMPLETED");
	}

	@Test
	void schedulesQuotaRefusesAtItsBoundAndADeletedScheduleFreesIt() {
		Map<String, Object> created = this.client.post()
			.uri("/api/v1/schedules")
			.header("X-API-Key", KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(schedule("quota-one"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();

		refused(post("/api/v1/schedules", KEY_A, schedule("quota-two")), "SCHEDULES", 1, 1);
		// Another tenant's schedules are its own.
		this.client.post()
			.uri("/api/v1/schedules")
			.header("X-API-Key", KEY_B)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(schedule("quota-two"))
			.exchange()
			.expectStatus()
			.isCreated();

		this.client.delete()
			.uri("/api/v1/schedules/" + created.get("id"))
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isNoContent();
		post("/api/v1/schedules", KEY_A, schedule("quota-two")).expectStatus().isCreated();
	}

	@Test
	void storedBytesQuotaRefusesOnceReachedAndDeletingTheJobFreesIt() {
		Map<String, Object> stored = submit(KEY_B, job("/ok/stored-bytes"));
		awaitStatus(KEY_B, stored.get("id"), "COMPLETED");
		long usage = ((Number) limits(KEY_B).get("storedBytesUsage")).longValue();
		assertThat(usage).isPositive();

		refused(post("/api/v1/jobs", KEY_B, job("/ok/stored-bytes-2")), "STORED_BYTES", 1, usage);

		this.client.delete()
			.uri("/api/v1/jobs/" + stored.get("id"))
			.header("X-API-Key", KEY_B)
			.exchange()
			.expectStatus()
			.isNoContent();
		assertThat(limits(KEY_B)).containsEntry("storedBytesUsage", 0);
		Map<String, Object> next = submit(KEY_B, job("/ok/stored-bytes-2"));
		awaitStatus(KEY_B, next.get("id"), "COMPLETED");
		this.client.delete()
			.uri("/api/v1/jobs/" + next.get("id"))
			.header("X-API-Key", KEY_B)
			.exchange()
			.expectStatus()
			.isNoContent();
	}

	@Test
	void requestsInFlightQuotaMakesTheTenantsFurtherRequestsWait() {
		String requests = String.join(", ", IntStream.range(0, 5)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/gate/in-flight/" + i)) + "}")
			.toList());
		Map<String, Object> job = submit(KEY_B, "{\"requests\": [" + requests + "], \"concurrency\": 5}");

		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateHits() == 2);
		// Well past a few claim and fetch cycles, still only the quota's two are in flight.
		Awaitility.await().pollDelay(Duration.ofMillis(500)).until(() -> true);
		assertThat(gateHits()).isEqualTo(2);

		upstream.open("in-flight");
		Map<String, Object> done = awaitStatus(KEY_B, job.get("id"), "COMPLETED");
		assertThat(gateHits()).isEqualTo(5);
		assertThat(done).isNotNull();
		this.client.delete()
			.uri("/api/v1/jobs/" + job.get("id"))
			.header("X-API-Key", KEY_B)
			.exchange()
			.expectStatus()
			.isNoContent();
	}

	private int gateHits() {
		return IntStream.range(0, 5).map((i) -> upstream.hits("/gate/in-flight/" + i)).sum();
	}

	private WebTestClient.ResponseSpec post(String path, String key, String body) {
		return this.client.post()
			.uri(path)
			.header("X-API-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private static void refused(WebTestClient.ResponseSpec response, String quota, long limit, long usage) {
		response.expectStatus()
			.isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader()
			.valueEquals("Retry-After", "7")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(QUOTA_EXCEEDED)
			.jsonPath("$.status").isEqualTo(429)
			.jsonPath("$.quota").isEqualTo(quota)
			.jsonPath("$.limit").isEqualTo(limit)
			.jsonPath("$.usage").isEqualTo(usage);
	}

	/** The tenant's stored bytes, flattened for assertions. */
	@SuppressWarnings("unchecked")
	private Map<String, Object> limits(String key) {
		Map<String, Object> limits = this.client.get()
			.uri("/api/v1/limits")
			.header("X-API-Key", key)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		Map<String, Object> stored = (Map<String, Object>) ((Map<String, Object>) limits.get("quotas"))
			.get("storedBytes");
		return Map.of("storedBytesUsage", stored.get("usage"), "storedBytesLimit", stored.get("limit"));
	}

	private static String job(String path) {
		return "{\"requests\": [{\"url\": " + quoted(upstream.url(path)) + "}]}";
	}

	private static String schedule(String name) {
		return "{\"name\": " + quoted(name) + ", \"trigger\": {\"cron\": \"0 0 0 1 1 *\"}, \"enabled\": false, "
				+ "\"template\": {\"requests\": [{\"url\": " + quoted(upstream.url("/ok/schedule")) + "}]}}";
	}

}
