package io.fanout.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import io.fanout.test.TestUpstream;
import org.awaitility.Awaitility;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.function.SingletonSupplier;

/**
 * The whole application on a random port, with its embedded H2 database in a directory of its own
 * under {@code target/}, fetching from a {@link TestUpstream} on 127.0.0.1 (the one network allowed),
 * two tenants with API keys (and a viewer key for {@code tenant-a}) and JWTs signed by {@link TestJwts}
 * (issuer and audience configured).
 * Short scheduler intervals keep the tests quick; nothing is asserted about speed. Test classes extending this without adding
 * configuration share one running application.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "fanout.fetch.allowed-networks=127.0.0.1/32", "fanout.fetch.default-policy.max-attempts=1",
				"fanout.security.api-keys.tenant-a=" + FanoutIntegrationTest.KEY_A,
				"fanout.security.api-keys.tenant-b=" + FanoutIntegrationTest.KEY_B,
				"fanout.security.viewer-keys.tenant-a=" + FanoutIntegrationTest.VIEWER_KEY_A,
				"fanout.scheduler.max-requests-per-job=1000", "fanout.scheduler.poll-interval=200ms",
				"fanout.scheduler.cancel-check-interval=100ms", "fanout.scheduler.result-batch-interval=50ms",
				"fanout.scheduler.stream-poll-interval=50ms", "spring.http.codecs.max-in-memory-size=1MB",
				"management.server.port=0" })
@AutoConfigureWebTestClient(timeout = "30s")
public abstract class FanoutIntegrationTest {

	/** The API key of {@code tenant-a}. */
	public static final String KEY_A = "integration-key-tenant-a-7c1e";

	/** A read-only (viewer) key of {@code tenant-a}. */
	public static final String VIEWER_KEY_A = "integration-viewer-tenant-a-5b0f";

	/** The API key of {@code tenant-b}. */
	public static final String KEY_B = "integration-key-tenant-b-42d9";

	private static final String API_KEY = "X-API-Key";

	/** Where this test run keeps its data, under {@code target/}. */
	protected static final Path DATA = dataDirectory();

	/** The upstream that jobs fetch from, shared by every test. */
	protected static final TestUpstream upstream = new TestUpstream();

	/** Tokens the application trusts (or not). */
	protected static final TestJwts jwts = new TestJwts(DATA.resolve("jwt"));

	@Autowired
	protected WebTestClient client;

	@DynamicPropertySource
	static void fanoutProperties(DynamicPropertyRegistry registry) {
		// A directory of its own for each application context (this method runs once per context).
		registry.add("fanout.data-dir", SingletonSupplier.<Object>of(() -> directory(DATA, "db-").toString()));
		registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", jwts::publicKeyLocation);
		registry.add("fanout.security.jwt.issuer", () -> TestJwts.ISSUER);
		registry.add("fanout.security.jwt.audiences", () -> TestJwts.AUDIENCE);
	}

	/** Submits a job as the tenant of {@code key}; expects 202 and answers the job. */
	protected Map<String, Object> submit(String key, String json) {
		return submit(API_KEY, key, json);
	}

	/** Submits a job with these credentials ({@code X-API-Key} or {@code Authorization}); answers it. */
	protected Map<String, Object> submit(String header, String credentials, String json) {
		return this.client.post()
			.uri("/api/v1/jobs")
			.header(header, credentials)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

	/** The job, as the tenant of {@code key} sees it. */
	protected Map<String, Object> job(String key, Object id) {
		return job(API_KEY, key, id);
	}

	/** The job, as the tenant of these credentials sees it. */
	protected Map<String, Object> job(String header, String credentials, Object id) {
		return read(header, credentials, "/api/v1/jobs/" + id);
	}

	/** {@code GET path} (a JSON object) as the tenant of {@code key}; expects 200. */
	protected Map<String, Object> read(String key, String path) {
		return read(API_KEY, key, path);
	}

	private Map<String, Object> read(String header, String credentials, String path) {
		return this.client.get()
			.uri(path)
			.header(header, credentials)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.returnResult()
			.getResponseBody();
	}

	/** Polls the job until its status is {@code status}, as a client would; answers it. */
	protected Map<String, Object> awaitStatus(String key, Object id, String status) {
		return awaitStatus(API_KEY, key, id, status);
	}

	/** Polls the job with these credentials until its status is {@code status}; answers it. */
	protected Map<String, Object> awaitStatus(String header, String credentials, Object id, String status) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> job(header, credentials, id), hasStatus(status));
	}

	private static Predicate<Map<String, Object>> hasStatus(String status) {
		return (job) -> status.equals(job.get("status"));
	}

	/** A JSON string literal. */
	protected static String quoted(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	private static Path dataDirectory() {
		try {
			return directory(Files.createDirectories(Path.of("target", "test-data")), "fanout-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path directory(Path parent, String prefix) {
		try {
			return Files.createTempDirectory(parent, prefix).toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
