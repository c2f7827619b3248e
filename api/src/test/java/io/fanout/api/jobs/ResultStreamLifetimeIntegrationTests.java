package io.fanout.api.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams that live at most a second: each ends cleanly with where to resume, and a client that
 * resumes from there every time receives every result exactly once. Idle streams carry heartbeats.
 */
@TestPropertySource(properties = { "fanout.api.streams.max-lifetime=1s",
		"fanout.api.streams.heartbeat-interval=200ms" })
class ResultStreamLifetimeIntegrationTests extends FanoutIntegrationTest {

	private static final Set<String> FINISHED = Set.of("COMPLETED", "FAILED", "CANCELLED");

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void serverSentEventsOutlivingTheirLifetimeEndWithACursorThatResumesWithoutLossOrRepeats() {
		Object job = submitJob(spreadOutJob("sse"));
		List<Integer> received = new ArrayList<>();
		String lastEventId = null;
		int expired = 0;
		boolean ended = false;
		for (int round = 0; round < 30 && !ended; round++) {
			for (ServerSentEvent<Map<String, Object>> event : events(job, lastEventId)) {
				if ("result".equals(event.event())) {
					received.add((Integer) event.data().get("index"));
					assertThat(event.id()).isEqualTo(String.valueOf(event.data().get("position")));
					lastEventId = event.id();
				}
				else if ("expired".equals(event.event())) {
					expired++;
					assertThat(event.data()).containsEntry("after",
							(lastEventId != null) ? Integer.parseInt(lastEventId) : 0);
					lastEventId = event.id();
				}
				else if ("end".equals(event.event())) {
					ended = true;
				}
			}
		}
		assertThat(ended).isTrue();
		assertThat(expired).as("streams cut by their lifetime").isGreaterThanOrEqualTo(1);
		assertThat(received).hasSize(12).doesNotHaveDuplicates();
		assertThat(received).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 12).boxed().toList());
	}

	@Test
	void ndjsonStreamsOutlivingTheirLifetimeResumeAfterTheLastPositionWithoutLossOrRepeats() throws Exception {
		Object job = submitJob(spreadOutJob("ndjson"));
		List<Integer> received = new ArrayList<>();
		int after = 0;
		int rounds = 0;
		while (rounds++ < 30) {
			String body = raw(job, MediaType.APPLICATION_NDJSON, "?after=" + after, Duration.ofSeconds(10));
			for (String line : body.split("\n")) {
				if (line.isBlank()) {
					continue;
				}
				Map<?, ?> result = this.json.readValue(line, Map.class);
				received.add((Integer) result.get("index"));
				after = (Integer) result.get("position");
			}
			if (FINISHED.contains(job(KEY_A, job).get("status")) && received.size() == 12) {
				break;
			}
		}
		assertThat(rounds).as("reconnections").isGreaterThan(1);
		assertThat(received).hasSize(12).doesNotHaveDuplicates();
	}

	@Test
	void idleStreamsCarryHeartbeats() {
		Object job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/never/heartbeat")) + "}], "
				+ "\"timeout\": \"PT30S\"}").get("id");
		try {
			awaitStatus(KEY_A, job, "RUNNING");
			String events = raw(job, MediaType.TEXT_EVENT_STREAM, "", Duration.ofMillis(900));
			assertThat(events).contains(":heartbeat\n\n");
			String lines = raw(job, MediaType.APPLICATION_NDJSON, "", Duration.ofMillis(900));
			assertThat(lines).isNotEmpty().isBlank();
		}
		finally {
			this.client.post().uri("/api/v1/jobs/" + job + "/cancel").header("X-API-Key", KEY_A).exchange();
		}
	}

	/** Twelve requests answered over about three seconds. */
	private static String spreadOutJob(String name) {
		String requests = IntStream.range(0, 12)
			.mapToObj((i) -> "{\"url\": " + quoted(upstream.url("/sleep/" + (250 * i) + "?" + name)) + "}")
			.collect(Collectors.joining(", "));
		return "{\"requests\": [" + requests + "], \"concurrency\": 12}";
	}

	private Object submitJob(String json) {
		return submit(KEY_A, json).get("id");
	}

	private List<ServerSentEvent<Map<String, Object>>> events(Object job, String lastEventId) {
		var request = this.client.get()
			.uri("/api/v1/jobs/" + job + "/results")
			.header("X-API-Key", KEY_A)
			.accept(MediaType.TEXT_EVENT_STREAM);
		if (lastEventId != null) {
			request = request.header("Last-Event-ID", lastEventId);
		}
		return request.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));
	}

	/** What the stream sends within {@code within}, as text. */
	private String raw(Object job, MediaType type, String query, Duration within) {
		return this.client.get()
			.uri("/api/v1/jobs/" + job + "/results" + query)
			.header("X-API-Key", KEY_A)
			.accept(type)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(DataBuffer.class)
			.getResponseBody()
			.take(within)
			.map((buffer) -> {
				String text = buffer.toString(StandardCharsets.UTF_8);
				DataBufferUtils.release(buffer);
				return text;
			})
			.collect(Collectors.joining())
			.block(within.plusSeconds(10));
	}

}
