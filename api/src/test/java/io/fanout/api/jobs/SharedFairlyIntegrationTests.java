package io.fanout.api.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one tenant submits cannot slow another down, and limits a tenant asks for hold: a
 * backtracking regular expression in an extraction rule is refused before it can burn a core, while
 * another tenant's job runs in normal time; a job's rate and a flow key pace requests end to end.
 */
class SharedFairlyIntegrationTests extends FanoutIntegrationTest {

	@Test
	void backtrackingRulesAreRefusedWhileAnotherTenantsJobRunsInNormalTime() {
		String quick = IntStream.range(0, 20)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/sleep/100?quick=" + i)) + "}")
			.collect(Collectors.joining(",", "{\"concurrency\": 20, \"requests\": [", "]}"));
		Map<String, Object> job = submit(KEY_A, quick);
		long start = System.nanoTime();

		refused("{\"requests\": [{\"url\": " + quoted(upstream.url("/json")) + ", \"extract\": {\"evil\": "
				+ quoted("$[?(@ =~ /((a+)+)+b/)]") + "}}]}", "requests[0].extract.evil");
		refused("{\"requests\": [{\"url\": " + quoted(upstream.url("/html")) + ", \"extract\": {\"evil\": "
				+ quoted("p:matches(((a+)+)+b)") + "}}]}", "requests[0].extract.evil");

		Map<String, Object> done = awaitStatus(KEY_A, job.get("id"), "COMPLETED");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
		assertThat(done).extracting("progress").extracting("counts").extracting("SUCCEEDED").isEqualTo(20);
	}

	@Test
	void aJobsRateAndAFlowKeyPaceItsRequests() {
		// A first job opens a connection: a cold client's first requests are slow enough to set up that
		// requests sent at their slots would reach the upstream bunched together.
		awaitStatus(KEY_A, submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/warm-up")) + "}]}")
			.get("id"), "COMPLETED");
		String paced = IntStream.range(0, 20)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/ok/api-rate/" + i)) + "}")
			.collect(Collectors.joining(",", "{\"concurrency\": 10, \"rateLimit\": {\"permits\": 10, \"period\": "
					+ "\"PT1S\"}, \"flowControl\": {\"key\": \"partner-api\", \"parallelism\": 2}, \"requests\": [",
					"]}"));

		Map<String, Object> job = submit(KEY_A, paced);
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		// Twenty requests one every 100 ms: 1.9 s from the first to the last.
		assertThat(upstream.span("/ok/api-rate/")).isGreaterThanOrEqualTo(Duration.ofMillis(1600));
		assertThat(upstream.mostInAnyWindow("/ok/api-rate/", Duration.ofSeconds(1))).isLessThanOrEqualTo(11);
	}

	@Test
	void aRateOrAFlowKeyOutOfBoundsIsRefusedNamingTheField() {
		String url = quoted(upstream.url("/ok"));
		refused("{\"rateLimit\": {\"permits\": 0, \"period\": \"PT1S\"}, \"requests\": [{\"url\": " + url + "}]}",
				"rateLimit.permits");
		refused("{\"rateLimit\": {\"permits\": 10}, \"requests\": [{\"url\": " + url + "}]}", "rateLimit");
		refused("{\"flowControl\": {\"key\": \"no spaces\"}, \"requests\": [{\"url\": " + url + "}]}",
				"flowControl.key");
		refused("{\"timeout\": \"PT1H\", \"requests\": [{\"url\": " + url + "}]}", "timeout");
		refused("{\"deadline\": \"P7D\", \"requests\": [{\"url\": " + url + "}]}", "deadline");
	}

	private void refused(String json, String field) {
		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY_B)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/validation")
			.jsonPath("$.errors[0].field").isEqualTo(field);
	}

}
