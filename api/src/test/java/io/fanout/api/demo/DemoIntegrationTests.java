package io.fanout.api.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fanout.api.support.FanoutIntegrationTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's examples, as written there, against the {@code demo} profile (with a shorter delay):
 * the three cities are fetched concurrently, and one after the other with {@code concurrency: 1};
 * the schedule launches jobs on its own (every second here rather than every ten). Asserted by when
 * each request started and ended, not by how long anything took. The demo listens on loopback only.
 */
@ActiveProfiles("demo")
@TestPropertySource(properties = "fanout.demo.delay=300ms")
class DemoIntegrationTests extends FanoutIntegrationTest {

	private static final String DEMO_KEY = "fanout-demo-key";

	@LocalServerPort
	private int port;

	@Autowired
	private Environment environment;

	@Test
	void theDemoListensOnLoopbackOnly() {
		assertThat(this.environment.getProperty("server.address")).isEqualTo("127.0.0.1");
		assertThat(this.environment.getProperty("management.server.address")).isEqualTo("127.0.0.1");
	}

	@Test
	void theDemoUpstreamAnswersTheWeatherWithoutCredentials() {
		this.client.get()
			.uri("/demo/weather/paris")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.current_condition.tmp").isEqualTo(DemoWeatherConfiguration.temperature("paris"));
	}

	@Test
	void theReadmeExampleFetchesTheThreeCitiesConcurrently() throws IOException {
		List<Map<String, Object>> results = run(readmeSubmission());

		assertThat(results).<Object>extracting((result) -> ((Map<?, ?>) result.get("extracted")).get("temperature"))
			.containsExactly(DemoWeatherConfiguration.temperature("paris"),
					DemoWeatherConfiguration.temperature("toulouse"),
					DemoWeatherConfiguration.temperature("marseille"));
		Instant lastStart = results.stream().map(DemoIntegrationTests::start).max(Comparator.naturalOrder()).get();
		Instant firstEnd = results.stream().map(DemoIntegrationTests::end).min(Comparator.naturalOrder()).get();
		assertThat(lastStart).as("every request started before the first one ended").isBefore(firstEnd);
	}

	@Test
	void withConcurrencyOneTheCitiesAreFetchedOneAfterTheOther() throws IOException {
		List<Map<String, Object>> results = run(readmeSubmission().replaceFirst("\\{", "{\"concurrency\": 1,"));

		List<Map<String, Object>> byStart = results.stream().sorted(Comparator.comparing(DemoIntegrationTests::start))
			.toList();
		for (int i = 1; i < byStart.size(); i++) {
			assertThat(start(byStart.get(i))).as("request %s started after the one before it ended", i)
				.isAfterOrEqualTo(end(byStart.get(i - 1)).minusMillis(5));
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void theReadmeScheduleLaunchesJobsOnItsOwn() throws IOException {
		Map<String, Object> schedule = this.client.post()
			.uri("/api/v1/schedules")
			.header("X-API-Key", DEMO_KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(readmeSchedule().replace("\"PT10S\"", "\"PT1S\""))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		try {
			Map<String, Object> job = Awaitility.await()
				.atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> ((List<Map<String, Object>>) this.client.get()
					.uri("/api/v1/jobs?scheduleId=" + schedule.get("id"))
					.header("X-API-Key", DEMO_KEY)
					.exchange()
					.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
					})
					.returnResult()
					.getResponseBody()
					.get("items")), (jobs) -> !jobs.isEmpty())
				.get(0);
			assertThat(job).containsEntry("name", "weather");
			awaitStatus(DEMO_KEY, job.get("id"), "COMPLETED");
		}
		finally {
			this.client.delete()
				.uri("/api/v1/schedules/" + schedule.get("id"))
				.header("X-API-Key", DEMO_KEY)
				.exchange()
				.expectStatus()
				.isNoContent();
		}
	}

	private List<Map<String, Object>> run(String submission) {
		Map<String, Object> job = submit(DEMO_KEY, submission);
		awaitStatus(DEMO_KEY, job.get("id"), "COMPLETED");
		Map<String, Object> page = this.client.get()
			.uri("/api/v1/jobs/" + job.get("id") + "/results")
			.header("X-API-Key", DEMO_KEY)
			.accept(MediaType.APPLICATION_JSON)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
		assertThat(items).hasSize(3).allSatisfy((result) -> assertThat(result).containsEntry("outcome", "SUCCEEDED"));
		return items;
	}

	/** The body of the README's submission, pointed at this test's port. */
	private String readmeSubmission() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"));
		assertThat(readme).contains("--spring.profiles.active=demo").contains("X-API-Key: " + DEMO_KEY);
		Matcher body = Pattern.compile("curl -s localhost:8080/api/v1/jobs .*? -d '(\\{.*?\\})'", Pattern.DOTALL)
			.matcher(readme);
		assertThat(body.find()).as("the README submits a job with curl -d '…'").isTrue();
		return body.group(1).replace("127.0.0.1:8080", "127.0.0.1:" + this.port);
	}

	/** The body of the README's schedule, pointed at this test's port. */
	private String readmeSchedule() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"));
		Matcher body = Pattern.compile("curl -s localhost:8080/api/v1/schedules .*? -d '(\\{.*?\\})'", Pattern.DOTALL)
			.matcher(readme);
		assertThat(body.find()).as("the README creates a schedule with curl -d '…'").isTrue();
		return body.group(1).replace("127.0.0.1:8080", "127.0.0.1:" + this.port);
	}

	private static Instant start(Map<String, Object> result) {
		return Instant.parse((String) result.get("startedAt"));
	}

	private static Instant end(Map<String, Object> result) {
		return start(result).plusMillis(((Number) result.get("durationMs")).longValue());
	}

}
