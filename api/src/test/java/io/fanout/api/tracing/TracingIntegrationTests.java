package io.fanout.api.tracing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.fanout.api.support.FanoutIntegrationTest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing turned on by its one property: the API call, the job run and each upstream request are
 * spans of the right shape and parentage, carry the host and outcome but never a URL's query or any
 * header, reach an OTLP/HTTP receiver on loopback, and, with {@code fanout.fetch.tracing.propagate},
 * the upstream receives the request span's {@code traceparent}. (Off by default:
 * {@code ActuatorIntegrationTests} and the {@code traceparent=null} of the other tests' echoes.)
 */
@TestPropertySource(properties = { "management.opentelemetry.enabled=true",
		"management.tracing.sampling.probability=1.0", "management.opentelemetry.tracing.export.schedule-delay=100ms",
		"fanout.fetch.tracing.propagate=true" })
class TracingIntegrationTests extends FanoutIntegrationTest {

	private static final String SECRET_QUERY = "q-secret-7f3a";

	private static final String SECRET_HEADER = "h-secret-91bd";

	/** A job that sends a {@code traceparent} of its own keeps it. */
	private static final String OWN_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("fanout.outcome");

	/** What an OTLP collector on loopback was sent: protobuf, whose strings are UTF-8 as they are. */
	private static final List<String> exported = new CopyOnWriteArrayList<>();

	private static final HttpServer collector = collector();

	@Autowired
	private InMemorySpanExporter spans;

	@DynamicPropertySource
	static void otlpEndpoint(DynamicPropertyRegistry registry) {
		registry.add("management.opentelemetry.tracing.export.otlp.endpoint",
				() -> "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces");
	}

	@AfterAll
	static void stopCollector() {
		collector.stop(0);
	}

	@Test
	void apiCallJobRunAndUpstreamRequestsAreSpansWithoutQueriesOrHeaders() {
		String echo = upstream.url("/echo?token=" + SECRET_QUERY);
		Map<String, Object> job = submit(KEY_A, """
				{"requests": [
				  {"url": %s, "headers": {"X-Secret": "%s"}},
				  {"url": %s},
				  {"url": %s, "headers": {"traceparent": "%s"}}
				]}""".formatted(quoted(echo), SECRET_HEADER, quoted(upstream.url("/status/404?token=" + SECRET_QUERY)),
				quoted(upstream.url("/echo")), OWN_TRACEPARENT));
		String id = (String) job.get("id");
		awaitStatus(KEY_A, id, "COMPLETED");

		SpanData run = Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.until(() -> find("fanout.job.run", id), (span) -> span != null);
		assertThat(run.getParentSpanContext().isValid()).isFalse();
		assertThat(run.getAttributes().get(AttributeKey.stringKey("fanout.tenant"))).isEqualTo("tenant-a");
		assertThat(run.getAttributes().get(AttributeKey.stringKey("fanout.job.status"))).isEqualTo("COMPLETED");
		assertThat(run.getAttributes().get(AttributeKey.longKey("fanout.job.requests"))).isEqualTo(3L);

		List<SpanData> requests = this.spans.getFinishedSpanItems()
			.stream()
			.filter((span) -> span.getName().equals("fanout.fetch.request")
					&& span.getParentSpanId().equals(run.getSpanId()))
			.toList();
		assertThat(requests).hasSize(3).allSatisfy((span) -> {
			assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
			assertThat(span.getTraceId()).isEqualTo(run.getTraceId());
			assertThat(span.getAttributes().get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
			assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
		});
		assertThat(requests).extracting((span) -> span.getAttributes().get(OUTCOME))
			.containsExactlyInAnyOrder("SUCCEEDED", "HTTP_ERROR", "SUCCEEDED");

		// The upstream got the request span's context, unless the job sent one of its own.
		List<String> sentContexts = requests.stream()
			.filter((span) -> "SUCCEEDED".equals(span.getAttributes().get(OUTCOME)))
			.map((span) -> "traceparent=00-" + span.getTraceId() + "-" + span.getSpanId() + "-0")
			.toList();
		Map<String, Object> page = read(KEY_A, "/api/v1/jobs/" + id + "/results?includeBody=true&limit=10");
		assertThat(page.toString()).contains("traceparent=" + OWN_TRACEPARENT)
			.containsAnyOf(sentContexts.toArray(String[]::new));

		// The API calls are server spans: the submission, the polls and the page read.
		Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(serverSpans())
			.anySatisfy((span) -> assertThat(span.getName()).isEqualTo("http post /api/v1/jobs"))
			.anySatisfy((span) -> assertThat(span.getAttributes().asMap().toString()).contains("/results")));

		// Never a query, a header or a key in any span, nor in what reached the collector.
		assertThat(this.spans.getFinishedSpanItems()).allSatisfy((span) -> assertThat(span.getAttributes().toString())
			.doesNotContain(SECRET_QUERY, SECRET_HEADER, KEY_A, "includeBody", "X-Secret"));
		Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.until(() -> String.join("", exported), (all) -> all.contains("fanout.job.run")
					&& all.contains("fanout.fetch.request") && all.contains(id));
		assertThat(String.join("", exported)).doesNotContain(SECRET_QUERY, SECRET_HEADER, KEY_A, "includeBody");
	}

	private SpanData find(String name, String jobId) {
		return this.spans.getFinishedSpanItems()
			.stream()
			.filter((span) -> span.getName().equals(name)
					&& jobId.equals(span.getAttributes().get(AttributeKey.stringKey("fanout.job.id"))))
			.findFirst()
			.orElse(null);
	}

	private List<SpanData> serverSpans() {
		return this.spans.getFinishedSpanItems().stream().filter((span) -> span.getKind() == SpanKind.SERVER).toList();
	}

	private static HttpServer collector() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/v1/traces", (exchange) -> {
				ByteArrayOutputStream body = new ByteArrayOutputStream();
				exchange.getRequestBody().transferTo(body);
				exported.add(body.toString(StandardCharsets.ISO_8859_1));
				exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
				exchange.sendResponseHeaders(200, -1);
				exchange.close();
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class InMemorySpans {

		@Bean
		InMemorySpanExporter inMemorySpanExporter() {
			return InMemorySpanExporter.create();
		}

	}

}
