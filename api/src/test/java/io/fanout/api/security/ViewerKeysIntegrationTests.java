package io.fanout.api.security;

import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A viewer key ({@code fanout.security.viewer-keys}) reads its tenant's resources and changes none:
 * every write answers 403 {@code forbidden}, and nothing is changed. {@code GET /api/v1/me} tells a
 * client which kind of credentials it holds; {@code GET /api/v1/upstreams} shows a tenant the hosts
 * its own requests reached, and no other tenant's.
 */
class ViewerKeysIntegrationTests extends FanoutIntegrationTest {

	@Test
	void aViewerReadsTheTenantsJobsAndResults() {
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/viewer")) + "}]}");
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		get("/api/v1/jobs/" + job.get("id")).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("COMPLETED");
		get("/api/v1/jobs/" + job.get("id") + "/results").expectStatus().isOk().expectBody().jsonPath("$.items.length()")
			.isEqualTo(1);
		get("/api/v1/jobs?limit=1000").expectStatus().isOk();
		get("/api/v1/schedules").expectStatus().isOk();
		get("/api/v1/limits").expectStatus().isOk().expectBody().jsonPath("$.tenant").isEqualTo("tenant-a");
	}

	@Test
	void aViewerChangesNothing() {
		Map<String, Object> running = submit(KEY_A,
				"{\"requests\": [{\"url\": " + quoted(upstream.url("/never/viewer-write")) + "}]}");
		String path = "/api/v1/jobs/" + running.get("id");

		forbidden(this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", VIEWER_KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/viewer-submit")) + "}]}"));
		forbidden(this.client.post().uri(path + "/cancel").header("X-API-Key", VIEWER_KEY_A));
		forbidden(this.client.delete().uri(path).header("X-API-Key", VIEWER_KEY_A));
		forbidden(this.client.post()
			.uri("/api/v1/schedules")
			.header("X-API-Key", VIEWER_KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}"));
		forbidden(this.client.post().uri("/api/v1/schedules/" + UUID.randomUUID() + "/pause").header("X-API-Key",
				VIEWER_KEY_A));

		assertStatus(path, "RUNNING");
		this.client.post().uri(path + "/cancel").header("X-API-Key", KEY_A).exchange().expectStatus().isAccepted();
	}

	@Test
	void theCallerResourceNamesTheTenantAndItsAccess() {
		caller("X-API-Key", KEY_A).jsonPath("$.tenant").isEqualTo("tenant-a").jsonPath("$.access").isEqualTo("READ_WRITE");
		caller("X-API-Key", VIEWER_KEY_A).jsonPath("$.tenant")
			.isEqualTo("tenant-a")
			.jsonPath("$.access")
			.isEqualTo("READ_ONLY");
		caller(HttpHeaders.AUTHORIZATION, "Bearer " + jwts.token(Map.of("sub", "me-7"))).jsonPath("$.tenant")
			.isEqualTo("jwt:me-7")
			.jsonPath("$.access")
			.isEqualTo("READ_WRITE");
		this.client.get().uri("/api/v1/me").exchange().expectStatus().isUnauthorized();
	}

	@Test
	void upstreamsShowOnlyTheHostsTheTenantsOwnRequestsReached() {
		String mine = "Bearer " + jwts.token(Map.of("sub", "upstreams-" + UUID.randomUUID()));
		String other = "Bearer " + jwts.token(Map.of("sub", "upstreams-" + UUID.randomUUID()));
		upstreams(mine).jsonPath("$.hosts.length()").isEqualTo(0);

		Map<String, Object> job = submit(HttpHeaders.AUTHORIZATION, mine, "{\"requests\": [{\"url\": "
				+ quoted(upstream.url("/ok/up-1")) + "}, {\"url\": " + quoted(upstream.url("/status/500/up")) + "}]}");
		awaitStatus(HttpHeaders.AUTHORIZATION, mine, job.get("id"), "COMPLETED");

		upstreams(mine).jsonPath("$.hosts.length()")
			.isEqualTo(1)
			.jsonPath("$.hosts[0].host")
			.isEqualTo("127.0.0.1")
			.jsonPath("$.hosts[0].breaker.state")
			.isEqualTo("CLOSED")
			.jsonPath("$.hosts[0].breaker.succeeded")
			.isEqualTo(1)
			.jsonPath("$.hosts[0].breaker.failed")
			.isEqualTo(1)
			.jsonPath("$.hosts[0].concurrency.max")
			.isEqualTo(10000);
		upstreams(other).jsonPath("$.hosts.length()").isEqualTo(0);
	}

	private WebTestClient.ResponseSpec get(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", VIEWER_KEY_A).exchange();
	}

	private WebTestClient.BodyContentSpec caller(String header, String value) {
		return this.client.get().uri("/api/v1/me").header(header, value).exchange().expectStatus().isOk().expectBody();
	}

	private WebTestClient.BodyContentSpec upstreams(String bearer) {
		return this.client.get()
			.uri("/api/v1/upstreams")
			.header(HttpHeaders.AUTHORIZATION, bearer)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody();
	}

	private void assertStatus(String path, String status) {
		this.client.get()
			.uri(path)
			.header("X-API-Key", KEY_A)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(status);
	}

	private static void forbidden(WebTestClient.RequestHeadersSpec<?> request) {
		request.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://fanout.io/problems/forbidden");
	}

}
