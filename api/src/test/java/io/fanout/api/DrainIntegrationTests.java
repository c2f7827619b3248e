package io.fanout.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.api.support.FanoutProcess;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestUpstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drain as Kubernetes does it, with two real instances on one PostgreSQL database: instance A runs
 * two jobs, B is started, A gets SIGTERM. A's readiness goes DOWN while it is still up; the job that
 * can finish within the grace period finishes on A; the other is released at once (its lease would
 * last a minute) and B completes it; no result is lost or repeated, and the upstream sees again only
 * the requests that were in flight; A exits within the grace period plus start-up slack. And a rolling
 * restart of both, one after the other, while jobs keep arriving: every job accepted completes.
 */
class DrainIntegrationTests {

	private static final String KEY = "drain-test-key-0e5b";

	private static final Duration GRACE = Duration.ofSeconds(3);

	/** Far longer than the test: a job that waited for its lease to expire would fail it. */
	private static final Duration LEASE = Duration.ofSeconds(60);

	@TempDir
	Path directory;

	private final TestUpstream upstream = new TestUpstream();

	private TestDatabase database;

	private FanoutProcess a;

	private FanoutProcess b;

	@BeforeEach
	void database() {
		this.database = TestDatabase.postgres();
	}

	@AfterEach
	void stop() {
		for (FanoutProcess process : new FanoutProcess[] { this.a, this.b }) {
			if (process != null) {
				process.close();
			}
		}
		this.upstream.close();
		if (this.database != null) {
			this.database.close();
		}
	}

	@Test
	void sigtermFinishesWhatFitsInTheGraceReleasesTheRestAtOnceAndLosesNothing() {
		this.a = instance("a").start();
		// The requests wait at gates, so what is in flight at the SIGTERM does not depend on how long B
		// takes to start. Finishes within the grace period: its gate opens once A is draining.
		String finishing = submit(this.a, requests("/gate/finishing/", 2), 2);
		// Cannot: its gate opens only after A has exited, so two requests are in flight on A throughout.
		String releasing = submit(this.a, requests("/gate/releasing/", 4), 2);
		Awaitility.await()
			.atMost(Duration.ofSeconds(20))
			.until(() -> "a".equals(owner(finishing)) && "a".equals(owner(releasing))
					&& this.upstream.inFlight() == 4);
		this.b = instance("b").start();
		assertThat(this.upstream.inFlight()).as("in flight on A once B is up").isEqualTo(4);

		List<Integer> readiness = new CopyOnWriteArrayList<>();
		Thread watcher = new Thread(() -> {
			while (this.a.isAlive()) {
				readiness.add(this.a.managementStatus("/actuator/health/readiness"));
				sleep(50);
			}
		});
		long sigterm = System.nanoTime();
		this.a.terminate();
		watcher.start();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readiness.contains(503));
		this.upstream.open("finishing");
		// Submitted during the drain: only B may take it.
		String during = submit(this.b, requests("/sleep/1000/during-", 3), 3);
		String duringOwner = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> owner(during), (owner) -> owner != null);

		assertThat(this.a.awaitExit(GRACE.plus(Duration.ofSeconds(20)))).as("exit code after SIGTERM").isIn(0, 143);
		Duration exit = Duration.ofNanos(System.nanoTime() - sigterm);
		this.upstream.open("releasing");
		awaitCompleted(this.b, finishing, Duration.ofSeconds(10));
		// Released, not abandoned: B finishes it long before A's lease would have expired.
		awaitCompleted(this.b, releasing, Duration.ofSeconds(25));
		awaitCompleted(this.b, during, Duration.ofSeconds(10));
		Duration released = Duration.ofNanos(System.nanoTime() - sigterm);

		assertThat(readiness.subList(readiness.indexOf(503), readiness.size())).as("never UP again once DOWN")
			.doesNotContain(200);
		assertThat(exit).as("A exits within the grace period and its shutdown").isLessThan(GRACE.plus(Duration.ofSeconds(15)));
		assertThat(released).isLessThan(LEASE);
		assertThat(duringOwner).as("A claims nothing once it is stopping").isEqualTo("b");

		assertThat(indexes(this.b, finishing)).containsExactly(0, 1);
		assertThat(indexes(this.b, releasing)).containsExactly(0, 1, 2, 3);
		assertThat(indexes(this.b, during)).containsExactly(0, 1, 2);
		for (int i = 0; i < 2; i++) {
			assertThat(this.upstream.hits("/gate/finishing/" + i)).as("finished on A, not fetched again").isEqualTo(1);
		}
		// The two in flight on A are fetched again by B; the two A never started, once.
		assertThat(IntStream.range(0, 4).map((i) -> this.upstream.hits("/gate/releasing/" + i)).sum())
			.as("requests of the released job fetched, on A and on B").isEqualTo(6);
	}

	@Test
	void aRollingRestartOfBothUnderSteadySubmissionsCompletesEveryJob() throws Exception {
		this.a = instance("a");
		this.b = instance("b");
		startBoth();
		List<String> accepted = new CopyOnWriteArrayList<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		Thread submitter = new Thread(() -> {
			for (int n = 0; submitting.get(); n++) {
				// Either instance, the one still serving; a retry carries the same key, so it is the same job.
				String key = "rolling-" + n;
				String requests = requests("/sleep/300/rolling-" + n + "-", 2);
				for (int attempt = 0; attempt < 40; attempt++) {
					FanoutProcess target = ((n + attempt) % 2 == 0) ? this.a : this.b;
					String id = trySubmit(target, requests, key);
					if (id != null) {
						accepted.add(id);
						break;
					}
					sleep(100);
				}
				sleep(150);
			}
		});
		submitter.start();
		sleep(1000);
		for (FanoutProcess instance : List.of(this.a, this.b)) {
			instance.terminate();
			assertThat(instance.awaitExit(GRACE.plus(Duration.ofSeconds(20)))).isIn(0, 143);
			instance.start();
			sleep(1000);
		}
		submitting.set(false);
		submitter.join(10_000);

		assertThat(accepted).as("jobs submitted during the restarts").hasSizeGreaterThan(10);
		for (String id : accepted) {
			awaitCompleted(this.b, id, Duration.ofSeconds(30));
			assertThat(indexes(this.b, id)).as(id).containsExactly(0, 1);
		}
	}

	/** Starts both instances at once: each start is mostly waiting on its own JVM. */
	private void startBoth() throws InterruptedException {
		Thread other = new Thread(this.b::start);
		other.start();
		this.a.start();
		other.join(120_000);
		assertThat(this.b.isAlive()).isTrue();
	}

	private static String trySubmit(FanoutProcess fanout, String requests, String idempotencyKey) {
		try {
			return (String) read(fanout.client()
				.post()
				.uri("/api/v1/jobs")
				.header("X-API-Key", KEY)
				.header("Idempotency-Key", idempotencyKey)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"requests\": [" + requests + "], \"concurrency\": 2}")
				.exchange()
				.expectStatus()
				.isAccepted()).get("id");
		}
		catch (RuntimeException | AssertionError ex) {
			// Stopping, stopped or starting: the other instance takes it.
			return null;
		}
	}

	private FanoutProcess instance(String node) {
		Map<String, String> properties = new HashMap<>();
		this.database.r2dbcProperties().forEach((name, value) -> properties.put(name, value.toString()));
		properties.putAll(Map.of("spring.profiles.active", "postgres", "fanout.scheduler.node-id", node,
				"fanout.security.api-keys.drain", KEY, "fanout.fetch.allowed-networks", "127.0.0.1/32",
				"fanout.fetch.default-policy.max-attempts", "1", "fanout.scheduler.poll-interval", "200ms",
				"fanout.scheduler.lease-duration", LEASE.toSeconds() + "s",
				"fanout.scheduler.shutdown-grace-period", GRACE.toSeconds() + "s",
				"spring.lifecycle.timeout-per-shutdown-phase", "10s"));
		properties.put("fanout.scheduler.result-batch-interval", "100ms");
		properties.put("springdoc.api-docs.enabled", "false");
		return new FanoutProcess(this.directory.resolve(node), List.of("-Xmx256m", "-XX:+UseSerialGC",
				"-XX:TieredStopAtLevel=1"), properties);
	}

	private String requests(String prefix, int count) {
		return IntStream.range(0, count)
			.mapToObj((i) -> "{\"url\": \"" + this.upstream.url(prefix + i) + "\"}")
			.collect(Collectors.joining(", "));
	}

	private static String submit(FanoutProcess fanout, String requests, int concurrency) {
		return (String) read(fanout.client()
			.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", KEY)
			.contentType(MediaType.APPLICATION_JSON)
			// A minute per request: a request held at a gate while B starts must not time out on A first.
			.bodyValue("{\"requests\": [" + requests + "], \"concurrency\": " + concurrency
					+ ", \"timeout\": \"PT60S\"}")
			.exchange()
			.expectStatus()
			.isAccepted()).get("id");
	}

	private static void awaitCompleted(FanoutProcess fanout, String id, Duration within) {
		Awaitility.await()
			.atMost(within)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> read(fanout.client().get().uri("/api/v1/jobs/{id}", id).header("X-API-Key", KEY).exchange())
				.get("status"), "COMPLETED"::equals);
	}

	@SuppressWarnings("unchecked")
	private static List<Integer> indexes(FanoutProcess fanout, String id) {
		List<Map<String, Object>> items = (List<Map<String, Object>>) read(fanout.client()
			.get()
			.uri("/api/v1/jobs/{id}/results?limit=100", id)
			.header("X-API-Key", KEY)
			.exchange()).get("items");
		assertThat(items).allSatisfy((item) -> assertThat(item).containsEntry("outcome", "SUCCEEDED"));
		return items.stream().map((item) -> (Integer) item.get("index")).sorted().toList();
	}

	private String owner(String id) {
		List<String> owners = this.database.queryForStrings("SELECT lease_owner FROM jobs WHERE id = '" + id + "'");
		return owners.isEmpty() ? null : owners.get(0);
	}

	private static Map<String, Object> read(WebTestClient.ResponseSpec response) {
		return response.expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
		}).returnResult().getResponseBody();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
