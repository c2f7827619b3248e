package io.fanout.api.callbacks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fanout.api.support.FanoutProcess;
import io.fanout.test.TestReceiver;
import io.fanout.test.TestUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A callback's event survives {@code kill -9}: Fanout (child JVM, embedded H2) runs a job to its end
 * with its callback worker off, is killed right after the API reports the job COMPLETED, and a new
 * process on the same data directory, worker on, delivers the event.
 */
class CallbackCrashDurabilityIntegrationTests {

	private static final String KEY = "callback-crash-key-3a9e";

	private static final String SECRET = "whsec_Y2FsbGJhY2stY3Jhc2gtdGVzdC1zZWNyZXQtMzJiIQ==";

	@TempDir
	Path directory;

	private final TestUpstream upstream = new TestUpstream();

	private final TestReceiver receiver = new TestReceiver();

	private FanoutProcess fanout;

	@AfterEach
	void stop() {
		if (this.fanout != null) {
			this.fanout.close();
		}
		this.upstream.close();
		this.receiver.close();
	}

	@Test
	void theEventOfAJobThatEndedJustBeforeKillMinus9IsDeliveredAfterTheRestart() {
		this.fanout = process(false).start();
		Map<String, Object> job = this.fanout.client()
			.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": \"" + this.upstream.url("/ok/crash") + "\"}], \"callback\": {\"url\": \""
					+ this.receiver.url("/hooks/crash") + "\"}}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
		Object id = job.get("id");
		Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> get(this.fanout.client(), id).get("status"), "COMPLETED"::equals);
		this.fanout.kill();
		assertThat(this.receiver.received()).isEmpty();

		this.fanout = process(true).start();
		Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> this.receiver.received().size() == 1);
		assertThat(this.receiver.received().get(0).body()).contains("job.completed").contains(id.toString());
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.until(() -> get(this.fanout.client(), id).get("deliveries"),
					(deliveries) -> "DELIVERED".equals(((List<Map<String, Object>>) deliveries).get(0).get("status")));
	}

	private FanoutProcess process(boolean delivering) {
		Map<String, String> properties = new HashMap<>(Map.of("fanout.security.api-keys.crash", KEY,
				"fanout.fetch.allowed-networks", "127.0.0.1/32", "fanout.scheduler.poll-interval", "200ms",
				"fanout.callbacks.secrets.crash", SECRET, "fanout.callbacks.poll-interval", "200ms",
				"fanout.callbacks.enabled", Boolean.toString(delivering), "springdoc.api-docs.enabled", "false",
				"springdoc.swagger-ui.enabled", "false"));
		return new FanoutProcess(this.directory.resolve("data"),
				List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), properties);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> get(WebTestClient client, Object id) {
		return client.get()
			.uri("/api/v1/jobs/" + id)
			.header("X-API-Key", KEY)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

}
