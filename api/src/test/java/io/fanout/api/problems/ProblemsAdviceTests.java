package io.fanout.api.problems;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.fanout.api.support.ApiSliceTest;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.QueueFullException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;

/**
 * Every way a request can fail, mapped to a Problem Details response of a stable type: never a 500
 * for bad input, never a stack trace. The scheduler is mocked to raise its exceptions.
 */
@ApiSliceTest
class ProblemsAdviceTests {

	private static final UUID ID = UUID.fromString("019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31");

	@Autowired
	private WebTestClient client;

	@MockitoBean
	private JobService jobs;

	@BeforeEach
	void noReruns() {
		given(this.jobs.reruns(any(), any())).willReturn(Mono.just(List.of()));
	}

	@Test
	void malformedJsonIsAMalformedJsonProblem() {
		submit("{\"requests\": [").expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/malformed-json")
			.jsonPath("$.title").isEqualTo("Malformed JSON")
			.jsonPath("$.status").isEqualTo(400)
			.jsonPath("$.detail").isEqualTo("The body is not valid JSON (line 1, column 15).")
			.jsonPath("$.instance").isEqualTo("/api/v1/jobs");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void aMissingOrNonObjectBodyIsAMalformedJsonProblem() {
		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/malformed-json")
			.jsonPath("$.detail").isEqualTo("A JSON body is required.");
		problem(submit("[1, 2]"), HttpStatus.BAD_REQUEST, "malformed-json");
	}

	@Test
	void badDurationsAreNamedByPath() {
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}], \"retry\": {\"maxBackoff\": \"5 s\"}}"))
			.jsonPath("$.errors[0].field").isEqualTo("retry.maxBackoff")
			.jsonPath("$.errors[0].message").isEqualTo("must be an ISO-8601 duration such as PT10S");
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}], \"timeout\": \"10s\"}"))
			.jsonPath("$.errors[0].field").isEqualTo("timeout");
	}

	@Test
	void valuesOfTheWrongTypeAreNamedByPath() {
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}, {\"url\": \"http://upstream.test/\", "
				+ "\"headers\": [\"Accept\"]}]}"))
			.jsonPath("$.errors[0].field").isEqualTo("requests[1].headers")
			.jsonPath("$.errors[0].message").isEqualTo("must be an object");
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}], \"concurrency\": \"many\"}"))
			.jsonPath("$.errors[0].field").isEqualTo("concurrency")
			.jsonPath("$.errors[0].message").isEqualTo("must be an integer");
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}], \"concurrency\": 99999999999}"))
			.jsonPath("$.errors[0].field").isEqualTo("concurrency")
			.jsonPath("$.errors[0].message").isEqualTo("is out of range");
	}

	@Test
	void unknownPropertiesAreRefused() {
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\", \"headerz\": {}}]}"))
			.jsonPath("$.errors[0].field").isEqualTo("requests[0].headerz")
			.jsonPath("$.errors[0].message").value((String message) -> assertThat(message)
				.startsWith("is not a known property; expected one of [body, extract, hasBody, headerNames, headers, method, url]"));
	}

	@Test
	void unknownEnumValuesInTheQueryAreRefused() {
		validation(get("/api/v1/jobs?status=DONE")).jsonPath("$.errors[0].field")
			.isEqualTo("status")
			.jsonPath("$.errors[0].message")
			.isEqualTo("each value must be one of [QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED]");
		validation(get("/api/v1/jobs/" + ID + "/results?outcome=FINE")).jsonPath("$.errors[0].field")
			.isEqualTo("outcome");
		validation(get("/api/v1/jobs?scheduleId=tomorrow")).jsonPath("$.errors[0].message").isEqualTo("must be a UUID");
		validation(get("/api/v1/jobs?limit=0&cursor=nope&label=team")).jsonPath("$.errors.length()")
			.isEqualTo(3)
			.jsonPath("$.errors[0].field").isEqualTo("limit")
			.jsonPath("$.errors[1].field").isEqualTo("cursor")
			.jsonPath("$.errors[2].field").isEqualTo("label");
		validation(get("/api/v1/jobs/" + ID + "/results?cursor=-1")).jsonPath("$.errors[0].field").isEqualTo("cursor");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void everyQueryParameterOfTheWrongTypeIsNamedAtOnce() {
		validation(get("/api/v1/jobs?status=DONE&scheduleId=tomorrow&limit=abc")).jsonPath("$.errors.length()")
			.isEqualTo(3)
			.jsonPath("$.errors[0].field").isEqualTo("status")
			.jsonPath("$.errors[1].field").isEqualTo("scheduleId")
			.jsonPath("$.errors[1].message").isEqualTo("must be a UUID")
			.jsonPath("$.errors[2].field").isEqualTo("limit")
			.jsonPath("$.errors[2].message").isEqualTo("must be an integer");
		validation(get("/api/v1/jobs/" + ID + "/results?outcome=FINE&includeBody=maybe"))
			.jsonPath("$.errors[1].field").isEqualTo("includeBody")
			.jsonPath("$.errors[1].message").isEqualTo("must be true or false");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void aJobNeedsRequests() {
		validation(submit("{\"requests\": []}")).jsonPath("$.errors[0].field")
			.isEqualTo("requests")
			.jsonPath("$.errors[0].message")
			.isEqualTo("a job needs at least one request");
		validation(submit("{\"name\": \"nothing\"}")).jsonPath("$.errors[0].field").isEqualTo("requests");
	}

	@Test
	void aJobHasAtMostTheConfiguredNumberOfRequests() {
		String six = "{\"requests\": [" + "{\"url\": \"http://upstream.test/\"},".repeat(5)
				+ "{\"url\": \"http://upstream.test/\"}]}";
		validation(submit(six)).jsonPath("$.errors[0].field")
			.isEqualTo("requests")
			.jsonPath("$.errors[0].message")
			.isEqualTo("a job may have at most 5 requests, not 6");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void everyInvalidFieldIsReportedAtOnceByPath() {
		validation(submit("""
				{"requests": [
				  {"url": "http://upstream.test/ok"},
				  {"url": "ftp://upstream.test/file"},
				  {"url": "not a url"},
				  {"method": "GET"},
				  {"url": "http://user:pw@upstream.test/", "method": "TRACE"}],
				 "concurrency": 0, "timeout": "PT0S", "retry": {"maxAttempts": 11},
				 "maxBodySize": 99999999999, "priority": 5000}"""))
			.jsonPath("$.detail").isEqualTo("9 fields are invalid; see errors.")
			.jsonPath("$.errors[0].field").isEqualTo("requests[1].url")
			.jsonPath("$.errors[0].message").isEqualTo("only absolute http and https URLs are allowed")
			.jsonPath("$.errors[1].field").isEqualTo("requests[2].url")
			.jsonPath("$.errors[2].field").isEqualTo("requests[3].url")
			.jsonPath("$.errors[2].message").isEqualTo("url is required")
			.jsonPath("$.errors[3].field").isEqualTo("requests[4].url")
			.jsonPath("$.errors[4].field").isEqualTo("retry.maxAttempts")
			.jsonPath("$.errors[5].field").isEqualTo("maxBodySize")
			.jsonPath("$.errors[6].field").isEqualTo("concurrency")
			.jsonPath("$.errors[7].field").isEqualTo("timeout")
			.jsonPath("$.errors[8].field").isEqualTo("priority");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void badExtractionRulesAreNamedByRule() {
		validation(submit("""
				{"requests": [{"url": "http://upstream.test/", "extract": {"ok": "$.a", "temperature": "$..[[["}},
				              {"url": "http://upstream.test/", "extract": {"title": "h1[[["}}]}"""))
			.jsonPath("$.errors[0].field").isEqualTo("requests[0].extract.temperature")
			.jsonPath("$.errors[1].field").isEqualTo("requests[1].extract.title");
	}

	@Test
	void badLabelsAndHeadersAreNamed() {
		validation(submit("{\"requests\": [{\"url\": \"http://upstream.test/\", \"headers\": {\"Bad Name\": \"x\"}}], "
				+ "\"labels\": {\"no spaces\": \"x\"}}"))
			.jsonPath("$.errors[0].field").isEqualTo("requests[0].headers")
			.jsonPath("$.errors[1].field").isEqualTo("labels");
	}

	@Test
	void anInvalidIdempotencyKeyNamesTheHeader() {
		given(this.jobs.submit(any(), any(), any(), any(), any())).willReturn(Mono.error(
				new io.fanout.scheduler.InvalidJobSpecException("idempotencyKey", "an idempotency key is 1 to 200 "
						+ "printable ASCII characters")));

		validation(this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.header("Idempotency-Key", "x".repeat(201))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": \"http://upstream.test/\"}]}")
			.exchange()).jsonPath("$.errors[0].field").isEqualTo("Idempotency-Key");
	}

	@Test
	void anOversizedBodyIsContentTooLarge() {
		String big = "{\"requests\": [{\"url\": \"http://upstream.test/\", \"body\": \"" + "x".repeat(20_000) + "\"}]}";
		problem(submit(big), HttpStatus.CONTENT_TOO_LARGE, "content-too-large");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void anUnknownJobIsNotFound() {
		given(this.jobs.get("tenant-a", ID)).willReturn(Mono.error(new JobNotFoundException(ID)));
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any())).willReturn(Flux.error(new JobNotFoundException(ID)));

		problem(get("/api/v1/jobs/" + ID), HttpStatus.NOT_FOUND, "not-found").jsonPath("$.detail")
			.isEqualTo("job " + ID + " not found");
		problem(this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange(), HttpStatus.NOT_FOUND, "not-found");
		problem(this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange(), HttpStatus.NOT_FOUND, "not-found");
	}

	@Test
	void aMalformedJobIdIsNotFound() {
		problem(get("/api/v1/jobs/not-a-uuid"), HttpStatus.NOT_FOUND, "not-found");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void cancellingAFinishedJobIsAConflict() {
		given(this.jobs.cancel("tenant-a", ID)).willReturn(Mono.error(new IllegalJobStateException(ID,
				JobStatus.COMPLETED, "job " + ID + " already ended COMPLETED; it cannot be cancelled")));

		problem(this.client.post().uri("/api/v1/jobs/" + ID + "/cancel").header("X-API-Key", ApiSliceTest.KEY_A).exchange(),
				HttpStatus.CONFLICT, "job-state")
			.jsonPath("$.jobStatus").isEqualTo("COMPLETED");
	}

	@Test
	void deletingARunningJobIsAConflict() {
		given(this.jobs.delete("tenant-a", ID)).willReturn(Mono.error(new IllegalJobStateException(ID, JobStatus.RUNNING,
				"job " + ID + " is RUNNING; only finished jobs can be deleted (cancel it first)")));

		problem(this.client.delete().uri("/api/v1/jobs/" + ID).header("X-API-Key", ApiSliceTest.KEY_A).exchange(),
				HttpStatus.CONFLICT, "job-state")
			.jsonPath("$.jobStatus").isEqualTo("RUNNING");
	}

	@Test
	void aFullQueueIsTooManyRequestsWithRetryAfter() {
		given(this.jobs.submit(any(), any(), any(), any(), any()))
			.willReturn(Mono.error(new QueueFullException(1000, Duration.ofMillis(4500))));

		problem(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}]}").expectHeader().valueEquals("Retry-After",
				"5"), HttpStatus.TOO_MANY_REQUESTS, "queue-full");
	}

	@Test
	void aReusedIdempotencyKeyIsUnprocessable() {
		UUID first = UUID.randomUUID();
		given(this.jobs.submit(any(), any(), any(), any(), any()))
			.willReturn(Mono.error(new IdempotencyConflictException(first, "k1")));

		problem(submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}]}"), HttpStatus.UNPROCESSABLE_CONTENT,
				"idempotency-conflict")
			.jsonPath("$.jobId").isEqualTo(first.toString());
	}

	@Test
	void missingOrInvalidCredentialsAreUnauthorized() {
		problem(this.client.get().uri("/api/v1/jobs").exchange().expectHeader().valueEquals("WWW-Authenticate",
				"ApiKey realm=\"fanout\", header=\"X-API-Key\""), HttpStatus.UNAUTHORIZED, "unauthorized")
			.jsonPath("$.detail").isEqualTo("Authentication is required: send an API key in the X-API-Key header.");
		problem(this.client.get().uri("/api/v1/jobs").header("X-API-Key", "guess").exchange(), HttpStatus.UNAUTHORIZED,
				"unauthorized")
			.jsonPath("$.detail").isEqualTo("The API key is not valid.");
		problem(this.client.get().uri("/api/v1/nothing-here").exchange(), HttpStatus.UNAUTHORIZED, "unauthorized");
		verifyNoInteractions(this.jobs);
	}

	@Test
	void unknownRoutesMethodsAndMediaTypesHaveTheirProblems() {
		problem(get("/api/v1/nothing-here"), HttpStatus.NOT_FOUND, "not-found");
		problem(this.client.put().uri("/api/v1/jobs").header("X-API-Key", ApiSliceTest.KEY_A).exchange(),
				HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed");
		problem(this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("requests")
			.exchange(), HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
		problem(this.client.get()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.IMAGE_PNG)
			.exchange(), HttpStatus.NOT_ACCEPTABLE, "not-acceptable");
	}

	@Test
	void anUnexpectedFailureIsAnInternalProblemWithoutDetails() {
		given(this.jobs.get("tenant-a", ID))
			.willReturn(Mono.error(new IllegalStateException("connection string jdbc:secret@db")));

		String body = problem(get("/api/v1/jobs/" + ID), HttpStatus.INTERNAL_SERVER_ERROR, "internal")
			.jsonPath("$.detail").isEqualTo("Fanout failed to handle the request; the cause is in its log.")
			.returnResult()
			.toString();

		assertThat(body).doesNotContain("secret").doesNotContain("IllegalStateException").doesNotContain("at io.");
	}

	private WebTestClient.ResponseSpec submit(String json) {
		return this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	private WebTestClient.ResponseSpec get(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", ApiSliceTest.KEY_A).exchange();
	}

	private static WebTestClient.BodyContentSpec validation(WebTestClient.ResponseSpec response) {
		return problem(response, HttpStatus.BAD_REQUEST, "validation").jsonPath("$.errors").isArray();
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
			.jsonPath("$.title").isNotEmpty()
			.jsonPath("$.detail").isNotEmpty()
			.jsonPath("$.trace").doesNotExist()
			.jsonPath("$.exception").doesNotExist();
	}

}
