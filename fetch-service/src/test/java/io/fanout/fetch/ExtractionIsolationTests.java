package io.fanout.fetch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Extraction is CPU work chosen by tenants: it runs on its own bounded pool under a time budget,
 * never on the fetch event loops. A tenant whose rules are expensive on a large body gets
 * {@code EXTRACTION_FAILED} once the budget is spent, while another tenant's batch to the same
 * host goes on in normal time. A sampler of thread stacks proves where rules ran: on
 * {@code fanout-extract} threads, never on {@code fanout-fetch} event loops (BlockHound, installed
 * in this suite, would also fail a rule applied there).
 */
class ExtractionIsolationTests {

	private static final FetchScope TENANT_A = new FetchScope("tenant-a");

	private static final FetchScope TENANT_B = new FetchScope("tenant-b");

	private static final Duration BUDGET = Duration.ofMillis(500);

	/** Just under the 4 MiB extraction reads, so the rules do run on it. */
	private static final byte[] LARGE_JSON = largeJson(3_900_000);

	private final DisposableServer upstream = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.route((routes) -> routes
			.get("/large", (request, response) -> response.header("Content-Type", "application/json")
				.sendByteArray(Mono.just(LARGE_JSON))
				.then())
			.get("/small/{n}", (request, response) -> response.header("Content-Type", "application/json")
				.sendString(Mono.just("{\"n\":" + request.param("n") + ",\"tmp\":21}"))
				.then()))
		.bindNow(Duration.ofSeconds(10));

	private final ReactorFetchClient client = ReactorFetchClient.builder()
		.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
		.extraction(2, BUDGET, 4 * 1024 * 1024)
		.build();

	private final StackSampler sampler = new StackSampler();

	@AfterEach
	void close() {
		this.sampler.stop();
		this.client.close();
		this.upstream.disposeNow(Duration.ofSeconds(10));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.upstream.port() + path;
	}

	@Test
	void rulesExpensiveOnALargeBodyFailWithinTheBudgetWhileAnotherTenantsBatchGoesOn() {
		FetchPolicy policy = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
			.withTimeout(Duration.ofSeconds(30))
			.withMaxBodySize(5 * 1024 * 1024);
		// No regular expression: deep scans, linear in the body but seconds of CPU on 4 MB.
		FetchRequest expensive = FetchRequest.get(url("/large")).withExtract(Map.of("all", "$..*", "deep", "$..b"));
		this.sampler.start();

		Sinks.One<FetchOutcome> hostile = Sinks.one();
		this.client.fetchAll(List.of(expensive), policy, (index) -> true, TENANT_B)
			.next()
			.subscribe(hostile::tryEmitValue, hostile::tryEmitError);
		// Tenant A starts once B's rules are burning an extraction thread.
		await().atMost(Duration.ofSeconds(30)).until(this.sampler::sawExtractionOnItsPool);

		List<FetchRequest> quick = IntStream.range(0, 20)
			.mapToObj((i) -> FetchRequest.get(url("/small/" + i)).withExtract(Map.of("tmp", "$.tmp")))
			.toList();
		long start = System.nanoTime();
		List<FetchOutcome> outcomes = this.client.fetchAll(quick, policy.withConcurrency(20), (index) -> true, TENANT_A)
			.collectList()
			.block(Duration.ofSeconds(30));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		FetchOutcome failed = hostile.asMono().block(Duration.ofSeconds(30));
		this.sampler.stop();

		assertThat(outcomes).hasSize(20).allSatisfy((outcome) -> {
			assertThat(outcome.kind()).as(outcome.toString()).isEqualTo(OutcomeKind.SUCCEEDED);
			assertThat(outcome.extracted()).containsEntry("tmp", 21);
		});
		assertThat(took).isLessThan(Duration.ofSeconds(10));

		assertThat(failed.kind()).isEqualTo(OutcomeKind.EXTRACTION_FAILED);
		assertThat(failed.httpStatus()).isEqualTo(200);
		assertThat(failed.error().kind()).isEqualTo(ErrorKind.EXTRACTION);
		assertThat(failed.error().message()).isEqualTo("extraction took longer than " + BUDGET.toMillis() + " ms");
		assertThat(failed.extracted()).containsEntry("all", null).containsEntry("deep", null);
		// The budget, the response and a wide margin for a busy machine; the rules alone take seconds.
		assertThat(failed.duration()).isLessThan(Duration.ofSeconds(8));

		// Rules are also parsed where requests are built (here the test's main thread): blocking threads, both.
		assertThat(this.sampler.extractionThreads()).anyMatch((name) -> name.startsWith("fanout-extract"))
			.noneMatch((name) -> name.startsWith("fanout-fetch") || name.startsWith("reactor-http")
					|| name.startsWith("parallel"));
	}

	private static byte[] largeJson(int size) {
		StringBuilder json = new StringBuilder(size + 64).append('[');
		for (int i = 0; json.length() < size; i++) {
			json.append((i > 0) ? "," : "").append("{\"k\":\"v").append(i % 10).append("\",\"a\":[1,2,{\"b\":\"x\"}]}");
		}
		return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
	}

	/** Samples every thread's stack and keeps the names of those caught applying extraction rules. */
	private static final class StackSampler {

		private final Set<String> extracting = ConcurrentHashMap.newKeySet();

		private final AtomicBoolean running = new AtomicBoolean();

		private Thread thread;

		void start() {
			this.running.set(true);
			this.thread = new Thread(() -> {
				while (this.running.get()) {
					Thread.getAllStackTraces().forEach((sampled, stack) -> {
						for (StackTraceElement frame : stack) {
							if (isRuleWork(frame)) {
								this.extracting.add(sampled.getName());
								return;
							}
						}
					});
					try {
						Thread.sleep(5);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "extraction-stack-sampler");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		/** A frame of parsing a body or applying a rule (not of naming the rules, which costs nothing). */
		private static boolean isRuleWork(StackTraceElement frame) {
			String type = frame.getClassName();
			return type.startsWith("com.jayway.jsonpath.") || type.startsWith("net.minidev.json.")
					|| type.startsWith("org.jsoup.") || (type.startsWith("io.fanout.fetch.extract.")
							&& (frame.getMethodName().equals("apply") || frame.getMethodName().equals("evaluate")));
		}

		boolean sawExtractionOnItsPool() {
			return this.extracting.stream().anyMatch((name) -> name.startsWith("fanout-extract"));
		}

		Set<String> extractionThreads() {
			return Set.copyOf(this.extracting);
		}

		void stop() {
			this.running.set(false);
			if (this.thread != null) {
				try {
					this.thread.join(5_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

}
