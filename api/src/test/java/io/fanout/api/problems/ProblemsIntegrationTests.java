package io.fanout.api.problems;

import java.util.UUID;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Every kind of bad input, sent to the running server over HTTP: each answered with its Problem
 * Details type, none with a 500.
 */
class ProblemsIntegrationTests extends FanoutIntegrationTest {

	@Test
	void malformedJson() {
		problem(submitRaw("{\"requests\": [{\"url\": "), HttpStatus.BAD_REQUEST, "malformed-json");
	}

	@Test
	void unknownEnumValues() {
		problem(get("/api/v1/jobs?status=FINISHED"), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("status");
	}

	@Test
	void badDurations() {
		problem(submitRaw("{\"requests\": [{\"url\": \"http://127.0.0.1/\"}], \"deadline\": \"1 minute\"}"),
				HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("deadline");
	}

	@Test
	void emptyRequests() {
		problem(submitRaw("{\"requests\": []}"), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("requests");
	}

	@Test
	void tooManyRequests() {
		String request = "{\"url\": \"http://127.0.0.1/\"}";
		problem(submitRaw("{\"requests\": [" + (request + ",").repeat(1000) + request + "]}"), HttpStatus.BAD_REQUEST,
				"validation")
			.jsonPath("$.errors[0].message").isEqualTo("a job may have at most 1000 requests, not 1001");
	}

	@Test
	void badUrlsAndSchemes() {
		problem(submitRaw("{\"requests\": [{\"url\": \"http://127.0.0.1/\"}, {\"url\": \"file:///etc/passwd\"}, "
				+ "{\"url\": \"/relative\"}, {\"url\": \"http://in valid/\"}]}"), HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors.length()").isEqualTo(3)
			.jsonPath("$.errors[0].field").isEqualTo("requests[1].url")
			.jsonPath("$.errors[1].field").isEqualTo("requests[2].url")
			.jsonPath("$.errors[2].field").isEqualTo("requests[3].url");
	}

	@Test
	void badExtractionRules() {
		problem(submitRaw("{\"requests\": [{\"url\": \"http://127.0.0.1/\", \"extract\": {\"t\": \"$.[\"}}]}"),
				HttpStatus.BAD_REQUEST, "validation")
			.jsonPath("$.errors[0].field").isEqualTo("requests[0].extract.t");
	}

	@Test
	void oversizedBodies() {
		String padding = "x".repeat(1_100_000);
		problem(submitRaw("{\"requests\": [{\"url\": \"http://127.0.0.1/\", \"body\": \"" + padding + "\"}]}"),
				HttpStatus.CONTENT_TOO_LARGE, "content-too-large");
	}

	@Test
	void unknownIds() {
		problem(get("/api/v1/jobs/" + UUID.randomUUID()), HttpStatus.NOT_FOUND, "not-found");
		problem(get("/api/v1/jobs/" + UUID.randomUUID() + "/results"), HttpStatus.NOT_FOUND, "not-found");
		problem(get("/api/v1/jobs/12345"), HttpStatus.NOT_FOUND, "not-found");
	}

	@Test
	void unknownRoutesMethodsAndMediaTypes() {
		problem(get("/api/v2/jobs"), HttpStatus.NOT_FOUND, "not-found");
		problem(this.client.get().uri("/nothing/here").exchange(), HttpStatus.NOT_FOUND, "not-found");
		problem(this.client.patch().uri("/api/v1/jobs").header("X-API-Key", KEY_A).exchange(),
				HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed");
		problem(this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.bodyValue("requests=x")
			.exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
		problem(this.client.get().uri("/api/v1/jobs").header("X-API-Key", KEY_A).accept(MediaType.APPLICATION_XML)
			.exchange(), HttpStatus.NOT_ACCEPTABLE, "not-acceptable");
	}

	@Test
	void theDemoUpstreamExistsOnlyInTheDemoProfile() {
		problem(this.client.get().uri("/demo/weather/paris").exchange(), HttpStatus.NOT_FOUND, "not-found");
	}

	@Test
	void missingAndBadCredentials() {
		problem(this.client.get().uri("/api/v1/jobs").exchange(), HttpStatus.UNAUTHORIZED, "unauthorized");
		problem(this.client.get().uri("/api/v1/jobs").header("X-API-Key", "").exchange(), HttpStatus.UNAUTHORIZED,
				"unauthorized");
		problem(this.client.get().uri("/api/v1/jobs").header("Authorization", "Bearer not.a.jwt").exchange(),
				HttpStatus.UNAUTHORIZED, "unauthorized");
	}

	private WebTestClient.ResponseSpec submitRaw(String json) {
		return this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	private WebTestClient.ResponseSpec get(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", KEY_A).exchange();
	}

	private static WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, HttpStatus status,
			String type) {
		return response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/" + type)
			.jsonPath("$.status").isEqualTo(status.value())
			.jsonPath("$.detail").isNotEmpty()
			.jsonPath("$.trace").doesNotExist();
	}

}
