package io.fanout.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fanout.api.support.FanoutProcess;
import io.fanout.test.TestUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One property turns Fanout's console log into JSON, one object per line (Spring Boot's structured
 * logging, here in the Elastic Common Schema): checked on a child JVM's own output, from start-up to
 * a finished job, with no request header value in it.
 */
class StructuredLogsIntegrationTests {

	private static final String KEY = "logs-test-key-41c7";

	private static final String SECRET = "Bearer log-s3cret-9a1";

	/** What the JVM itself prints, outside any logger. */
	private static final String JVM_WARNING = "OpenJDK 64-Bit Server VM warning";

	@TempDir
	Path directory;

	private final TestUpstream upstream = new TestUpstream();

	private final JsonMapper json = JsonMapper.builder().build();

	private FanoutProcess fanout;

	@AfterEach
	void stop() {
		if (this.fanout != null) {
			this.fanout.close();
		}
		this.upstream.close();
	}

	@Test
	void everyLineIsAJsonObjectWhenStructuredLoggingIsOn() {
		this.fanout = new FanoutProcess(this.directory.resolve("data"),
				List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
				Map.of("logging.structured.format.console", "ecs", "fanout.security.api-keys.logs", KEY,
						"fanout.fetch.allowed-networks", "127.0.0.1/32", "fanout.scheduler.poll-interval", "200ms",
						"springdoc.api-docs.enabled", "false", "springdoc.swagger-ui.enabled", "false"))
			.start();
		Map<String, Object> job = this.fanout.client()
			.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": \"" + this.upstream.url("/ok/logs") + "\", \"headers\": {\"Authorization\": \""
					+ SECRET + "\"}}]}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.until(() -> status(job.get("id")), "COMPLETED"::equals);

		List<String> lines = this.fanout.log()
			.lines()
			.filter((line) -> !line.isBlank() && !line.startsWith(JVM_WARNING))
			.toList();
		assertThat(lines).as("the log of a started process").isNotEmpty();
		assertThat(lines).allSatisfy((line) -> {
			JsonNode event = this.json.readTree(line);
			assertThat(event.isObject()).as(line).isTrue();
			assertThat(event.has("@timestamp") && event.has("message")).as(line).isTrue();
		});
		assertThat(lines).anySatisfy((line) -> assertThat(this.json.readTree(line).get("message").asString())
			.startsWith("Started FanoutApplication"));
		assertThat(this.fanout.log()).doesNotContain("log-s3cret");
	}

	private String status(Object id) {
		return (String) this.fanout.client()
			.get()
			.uri("/api/v1/jobs/{id}", id)
			.header("X-API-Key", KEY)
			.exchange()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody()
			.get("status");
	}

}
