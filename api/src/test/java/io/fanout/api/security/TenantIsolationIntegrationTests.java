package io.fanout.api.security;

import java.util.Date;
import java.util.List;
import java.util.Map;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs belong to the tenant that submitted them, whether it authenticates with an API key or a JWT;
 * another tenant gets 404, never the job. JWT tenants ({@code jwt:<sub>}) never meet API-key tenants,
 * and tokens must name the configured issuer and audience and carry an unexpired {@code exp}.
 */
class TenantIsolationIntegrationTests extends FanoutIntegrationTest {

	@Test
	void anotherTenantNeverSeesTheJob() {
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/tenant")) + "}]}");
		String path = "/api/v1/jobs/" + job.get("id");
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		notFound(this.client.get().uri(path).header("X-API-Key", KEY_B));
		notFound(this.client.get().uri(path + "/results").header("X-API-Key", KEY_B));
		notFound(this.client.get().uri(path + "/results").header("X-API-Key", KEY_B).accept(MediaType.APPLICATION_NDJSON));
		notFound(this.client.get().uri(path + "/results").header("X-API-Key", KEY_B).accept(MediaType.TEXT_EVENT_STREAM));
		notFound(this.client.post().uri(path + "/cancel").header("X-API-Key", KEY_B));
		notFound(this.client.delete().uri(path).header("X-API-Key", KEY_B));
		assertThat(ids(KEY_B)).doesNotContain(job.get("id"));

		assertThat(ids(KEY_A)).contains(job.get("id"));
		this.client.get().uri(path).header("X-API-Key", KEY_A).exchange().expectStatus().isOk();
	}

	@Test
	void aJwtNamesTheTenantInItsSubjectUnderItsOwnPrefix() {
		String owner = "Bearer " + jwts.token(Map.of("sub", "user-7"));
		Map<String, Object> job = submit(HttpHeaders.AUTHORIZATION, owner,
				"{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/jwt")) + "}]}");
		String path = "/api/v1/jobs/" + job.get("id");

		this.client.get()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, owner)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id").isEqualTo(job.get("id"));
		notFound(this.client.get()
			.uri(path)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + jwts.token(Map.of("sub", "user-8"))));
	}

	@Test
	void aJwtWhoseSubjectIsAnApiKeyTenantsNameCannotReachThatTenantsJobs() {
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/collide")) + "}]}");
		String path = "/api/v1/jobs/" + job.get("id");
		String impostor = "Bearer " + jwts.token(Map.of("sub", "tenant-a"));

		notFound(this.client.get().uri(path).header(HttpHeaders.AUTHORIZATION, impostor));
		notFound(this.client.get().uri(path + "/results").header(HttpHeaders.AUTHORIZATION, impostor));
		notFound(this.client.post().uri(path + "/cancel").header(HttpHeaders.AUTHORIZATION, impostor));
		assertThat(ids(HttpHeaders.AUTHORIZATION, impostor)).doesNotContain(job.get("id"));
		// Nor the other way round: the JWT tenant's jobs are not the API-key tenant's.
		Map<String, Object> own = submit(HttpHeaders.AUTHORIZATION, impostor,
				"{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/collide-jwt")) + "}]}");
		notFound(this.client.get().uri("/api/v1/jobs/" + own.get("id")).header("X-API-Key", KEY_A));
		assertThat(ids("X-API-Key", KEY_A)).contains(job.get("id")).doesNotContain(own.get("id"));
	}

	@Test
	void aJwtWithoutExpiryIsUnauthorized() {
		unauthorizedBearer(jwts.tokenWithout(Map.of("sub", "user-1"), "exp"));
	}

	@Test
	void aJwtForAnotherAudienceIsUnauthorized() {
		unauthorizedBearer(jwts.token(Map.of("sub", "user-1", "aud", "another-service")));
		unauthorizedBearer(jwts.tokenWithout(Map.of("sub", "user-1"), "aud"));
	}

	@Test
	void aJwtFromAnotherIssuerIsUnauthorized() {
		unauthorizedBearer(jwts.token(Map.of("sub", "user-1", "iss", "https://elsewhere.test")));
		unauthorizedBearer(jwts.tokenWithout(Map.of("sub", "user-1"), "iss"));
	}

	@Test
	void anExpiredJwtIsUnauthorized() {
		unauthorizedBearer(jwts.token(Map.of("sub", "user-1", "exp", new Date(System.currentTimeMillis() - 600_000))));
	}

	@Test
	void anUntrustedJwtIsUnauthorized() {
		unauthorizedBearer(jwts.foreignToken(Map.of("sub", "tenant-a")));
	}

	private void unauthorizedBearer(String token) {
		this.client.get()
			.uri("/api/v1/jobs")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "ApiKey realm=\"fanout\", header=\"X-API-Key\"",
					"Bearer realm=\"fanout\", error=\"invalid_token\"")
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/unauthorized")
			.jsonPath("$.detail").isEqualTo("The bearer token is not valid.");
	}

	@Test
	void withoutCredentialsTheApiIsUnauthorizedAndNamesBothSchemes() {
		this.client.post()
			.uri("/api/v1/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": \"http://127.0.0.1/\"}]}")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNAUTHORIZED)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "ApiKey realm=\"fanout\", header=\"X-API-Key\"",
					"Bearer realm=\"fanout\"")
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("Authentication is required: send an API key in the X-API-Key header or a bearer token in the "
					+ "Authorization header.");
		this.client.get()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A + "x")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.detail").isEqualTo("The API key is not valid.");
	}

	private static void notFound(WebTestClient.RequestHeadersSpec<?> request) {
		request.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/not-found");
	}

	private List<Object> ids(String key) {
		return ids("X-API-Key", key);
	}

	@SuppressWarnings("unchecked")
	private List<Object> ids(String header, String value) {
		Map<String, Object> page = this.client.get()
			.uri("/api/v1/jobs?limit=1000")
			.header(header, value)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		return ((List<Map<String, Object>>) page.get("items")).stream().map((item) -> item.get("id")).toList();
	}

}
