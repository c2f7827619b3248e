package io.fanout.api;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.fanout.api.support.FanoutIntegrationTest;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations: actuator on its own port with health groups for Kubernetes probes, Prometheus metrics
 * and build and git information; probes also on the API port, without credentials; tracing off.
 */
class ActuatorIntegrationTests extends FanoutIntegrationTest {

	@LocalManagementPort
	private int managementPort;

	@LocalServerPort
	private int serverPort;

	@Autowired
	private Tracer tracer;

	@Test
	void tracingIsOffByDefault() {
		// No SDK behind the tracer: spans record nothing, so nothing is exported and jobs put no parent
		// span in their requests' context (TracingIntegrationTests turns it on).
		Span span = this.tracer.nextSpan().start();
		assertThat(span.isNoop()).isTrue();
		span.end();
	}

	@Test
	void actuatorIsOnTheManagementPortOnly() {
		assertThat(this.managementPort).isNotEqualTo(this.serverPort);
		management().get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.groups").value((groups) -> assertThat(groups.toString()).contains("liveness", "readiness"));
		this.client.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
	}

	@Test
	void readinessIncludesTheDatabaseAndLivenessOnlyWhetherTheEmbeddedOneHasClosedItself() {
		management().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.r2dbc.status").isEqualTo("UP")
			.jsonPath("$.components.readinessState.status").isEqualTo("UP");
		management().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk().expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.livenessState.status").isEqualTo("UP")
			.jsonPath("$.components.embeddedDatabase.status").isEqualTo("UP")
			.jsonPath("$.components.r2dbc").doesNotExist();
	}

	@Test
	void probesOnTheApiPortNeedNoCredentials() {
		this.client.get().uri("/livez").exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
		this.client.get().uri("/readyz").exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
	}

	@Test
	void prometheusExposesTheFetchWorkerStreamAndPoolMetrics() {
		Map<String, Object> job = submit(KEY_A, "{\"requests\": [{\"url\": " + quoted(upstream.url("/ok/metrics")) + "}]}");
		awaitStatus(KEY_A, job.get("id"), "COMPLETED");

		String metrics = management().get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();

		assertThat(metrics).contains("fanout_fetch_requests_seconds_count{host=\"127.0.0.1\",outcome=\"SUCCEEDED\"}")
			.contains("fanout_fetch_breakers_open")
			.contains("fanout_fetch_memory_held_bytes")
			.contains("fanout_fetch_hosts_kept")
			// Breakers are kept per tenant and host, outside Resilience4j's registry and its meters.
			.doesNotContain("resilience4j_circuitbreaker_state")
			.contains("http_server_requests_seconds_count")
			// Live result streams, and the database connection pool (Spring Boot binds R2DBC pool meters).
			.contains("fanout_api_streams_open ")
			.contains("r2dbc_pool_acquired_connections")
			.contains("r2dbc_pool_pending_connections")
			// The worker's: queue wait, how jobs ended and how long they ran, results and their writes.
			.contains("fanout_jobs_queue_wait_seconds_count")
			.contains("fanout_jobs_finished_total{status=\"COMPLETED\"}")
			.contains("fanout_jobs_duration_seconds_count{status=\"COMPLETED\"}")
			.contains("fanout_results_written_total")
			.contains("fanout_results_write_seconds_count");
	}

	@Test
	void infoHasBuildAndGitDetails() throws IOException {
		WebTestClient.BodyContentSpec info = management().get().uri("/actuator/info").exchange().expectStatus().isOk()
			.expectBody()
			.jsonPath("$.build.artifact").isEqualTo("api")
			.jsonPath("$.build.version").isNotEmpty()
			.jsonPath("$.java.version").isNotEmpty();
		// Built from a source archive without .git, there is no commit to show.
		ClassPathResource git = new ClassPathResource("git.properties");
		if (git.exists() && PropertiesLoaderUtils.loadProperties(git).containsKey("git.commit.id")) {
			info.jsonPath("$.git.commit.id").isNotEmpty().jsonPath("$.git.branch").isNotEmpty();
		}
	}

	private WebTestClient management() {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

}
