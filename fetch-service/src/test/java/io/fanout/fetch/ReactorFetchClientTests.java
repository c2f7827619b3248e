package io.fanout.fetch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.SettableClock;
import io.fanout.test.TestUpstream;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The fetch engine against real HTTP servers on 127.0.0.1. Timing assertions use wide margins:
 * they prove behaviour (concurrent, not sequential; aborted, not waited out), not speed.
 */
class ReactorFetchClientTests {

	private static final FetchPolicy NO_RETRY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10));

	private final TestUpstream upstream = new TestUpstream();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private ReactorFetchClient client;

	@BeforeEach
	void createClient() {
		this.client = clientBuilder().build();
	}

	@AfterEach
	void close() {
		this.client.close();
		this.upstream.close();
	}

	private ReactorFetchClient.Builder clientBuilder() {
		return ReactorFetchClient.builder()
			.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
			.meterRegistry(this.meters);
	}

	private List<FetchOutcome> fetchAll(List<FetchRequest> requests, FetchPolicy policy) {
		List<FetchOutcome> outcomes = this.client.fetchAll(requests, policy).collectList().block(Duration.ofSeconds(120));
		assertThat(outcomes).isNotNull();
		return outcomes;
	}

	private io.github.resilience4j.circuitbreaker.CircuitBreaker.State breakerState() {
		return this.client.breaker(FetchScope.SHARED, "127.0.0.1").orElseThrow().getState();
	}

	private List<FetchRequest> times(int count, String path) {
		return IntStream.range(0, count).mapToObj(i -> FetchRequest.get(this.upstream.url(path))).toList();
	}

	@Test
	void threeSlowRequestsAtConcurrencyThreeTakeAsLongAsOne() {
		long start = System.nanoTime();
		List<FetchOutcome> outcomes = fetchAll(times(3, "/sleep/2000"), NO_RETRY.withConcurrency(3));
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(outcomes).extracting(FetchOutcome::kind).containsOnly(OutcomeKind.SUCCEEDED).hasSize(3);
		assertThat(outcomes).extracting(FetchOutcome::index).containsExactlyInAnyOrder(0, 1, 2);
		assertThat(took).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void threeSlowRequestsAtConcurrencyOneRunOneAfterAnother() {
		long start = System.nanoTime();
		List<FetchOutcome> outcomes = fetchAll(times(3, "/sleep/2000"), NO_RETRY.withConcurrency(1));
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(outcomes).extracting(FetchOutcome::kind).containsOnly(OutcomeKind.SUCCEEDED).hasSize(3);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(6000));
		assertThat(this.upstream.maxInFlight()).isEqualTo(1);
	}

	@Test
	void outcomesArriveInCompletionOrder() {
		List<FetchRequest> requests = List.of(FetchRequest.get(this.upstream.url("/sleep/1500")),
				FetchRequest.get(this.upstream.url("/sleep/10")));

		assertThat(fetchAll(requests, NO_RETRY.withConcurrency(2))).extracting(FetchOutcome::index).containsExactly(1, 0);
	}

	@Test
	void batchNeverHasMoreThanItsConcurrencyInFlight() {
		List<FetchOutcome> outcomes = fetchAll(times(24, "/sleep/150"), NO_RETRY.withConcurrency(4));

		assertThat(outcomes).hasSize(24).allSatisfy(o -> assertThat(o.kind()).as(o.toString()).isEqualTo(OutcomeKind.SUCCEEDED));
		assertThat(this.upstream.maxInFlight()).isBetween(1, 4);
	}

	@Test
	void hostConcurrencyCapsTwoConcurrentBatchesTogether() {
		this.client.close();
		this.client = clientBuilder().hostConcurrency((host) -> 3).build();
		FetchPolicy policy = NO_RETRY.withConcurrency(5);

		List<FetchOutcome> outcomes = Flux
			.merge(this.client.fetchAll(times(10, "/sleep/100"), policy),
					this.client.fetchAll(times(10, "/sleep/100"), policy))
			.collectList()
			.block(Duration.ofSeconds(60));

		assertThat(outcomes).hasSize(20).allMatch(FetchOutcome::succeeded);
		assertThat(this.upstream.maxInFlight()).isBetween(1, 3);
	}

	@Test
	void aRequestWaitingForRoomAtItsHostEndsRejectedWhenItsTimeBudgetRunsOut() {
		this.client.close();
		this.client = clientBuilder().hostConcurrency((host) -> 1).build();
		// One batch holds the host's only permit for as long as the test lasts.
		Disposable holder = this.client.fetchAll(List.of(FetchRequest.get(this.upstream.url("/never"))),
				NO_RETRY.withTimeout(Duration.ofMinutes(1)))
			.subscribe();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.upstream.inFlight() == 1);

		FetchOutcome rejected = this.client
			.fetch(FetchRequest.get(this.upstream.url("/never?second")), NO_RETRY.withTimeout(Duration.ofMillis(700)))
			.block(Duration.ofSeconds(10));
		holder.dispose();

		assertThat(rejected.kind()).isEqualTo(OutcomeKind.REJECTED);
		assertThat(rejected.attempts()).isZero();
		assertThat(rejected.error().kind()).isEqualTo(ErrorKind.BULKHEAD_FULL);
		assertThat(rejected.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(650));
		assertThat(this.upstream.hits("/never?second")).isZero();
	}

	@Test
	void sequentialRequestsReuseOneKeptAliveConnection() {
		List<FetchOutcome> outcomes = new ArrayList<>(fetchAll(times(20, "/json"), NO_RETRY.withConcurrency(1)));
		outcomes.addAll(fetchAll(times(20, "/html"), NO_RETRY.withConcurrency(1)));

		assertThat(outcomes).hasSize(40).extracting(FetchOutcome::kind).containsOnly(OutcomeKind.SUCCEEDED);
		assertThat(outcomes).allSatisfy((outcome) -> assertThat(outcome.body()).isNotEmpty());
		// The pool gets a connection back just after its response completed, so the next request may
		// open a second one; none is closed, and 40 requests never need more than those two.
		assertThat(this.upstream.connectionsOpened()).isBetween(1, 2);
		assertThat(this.upstream.connectionsClosed()).isEqualTo(0);
	}

	@Test
	void requestThatIsNeverAnsweredTimesOutAndItsConnectionIsClosed() {
		FetchPolicy policy = NO_RETRY.withTimeout(Duration.ofMillis(500));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/never")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.TIMED_OUT);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.TIMEOUT);
		assertThat(outcome.attempts()).isEqualTo(1);
		assertThat(outcome.duration()).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(this.upstream.connectionsOpened()).isEqualTo(1);
			assertThat(this.upstream.connectionsClosed()).isEqualTo(1);
		});
	}

	@Test
	void cancellingFetchAllClosesEveryInFlightConnection() {
		Disposable running = this.client.fetchAll(times(5, "/never"), NO_RETRY.withConcurrency(5)).subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.upstream.inFlight() == 5);

		running.dispose();

		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(this.upstream.connectionsClosed()).isEqualTo(5);
			assertThat(this.upstream.inFlight()).isEqualTo(0);
		});
	}

	@Test
	void serviceUnavailableThenOkSucceedsOnTheSecondAttempt() {
		FetchPolicy policy = NO_RETRY.withRetry(RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(50)));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/flaky/a")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(outcome.httpStatus()).isEqualTo(200);
		assertThat(outcome.attempts()).isEqualTo(2);
		assertThat(outcome.body()).isEqualTo("recovered");
		assertThat(this.meters.counter("fanout.fetch.retries", "host", "127.0.0.1").count()).isEqualTo(1);
	}

	@Test
	void tooManyRequestsWaitsAsLongAsRetryAfterAsks() {
		FetchPolicy policy = NO_RETRY.withRetry(RetryPolicy.of(2, Duration.ofMillis(10), Duration.ofSeconds(5)));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/throttled/1")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(outcome.attempts()).isEqualTo(2);
		assertThat(outcome.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(950));
	}

	@Test
	void retryAfterIsCappedByMaxBackoff() {
		FetchPolicy policy = NO_RETRY.withRetry(RetryPolicy.of(2, Duration.ofMillis(10), Duration.ofMillis(100)));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/throttled/3600")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(outcome.duration()).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void notFoundIsNotRetried() {
		FetchPolicy policy = NO_RETRY.withRetry(RetryPolicy.of(5, Duration.ofMillis(10), Duration.ofMillis(50)));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/status/404")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.HTTP_ERROR);
		assertThat(outcome.httpStatus()).isEqualTo(404);
		assertThat(outcome.attempts()).isEqualTo(1);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.HTTP_STATUS);
		assertThat(this.upstream.hits("/status/404")).isEqualTo(1);
	}

	@Test
	void serverErrorIsRetriedUpToMaxAttemptsThenReported() {
		FetchPolicy policy = NO_RETRY.withRetry(RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(20)));

		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/status/500")), policy)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.HTTP_ERROR);
		assertThat(outcome.httpStatus()).isEqualTo(500);
		assertThat(outcome.attempts()).isEqualTo(3);
		assertThat(outcome.body()).isEqualTo("status 500");
		assertThat(this.upstream.hits("/status/500")).isEqualTo(3);
	}

	@Test
	void connectionRefusedIsAConnectionError() {
		int closedPort;
		try (TestUpstream gone = new TestUpstream()) {
			closedPort = gone.port();
		}
		FetchOutcome outcome = this.client
			.fetch(FetchRequest.get("http://127.0.0.1:" + closedPort + "/"), NO_RETRY)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.CONNECTION_ERROR);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.CONNECTION_REFUSED);
		assertThat(outcome.httpStatus()).isNull();
	}

	@Test
	void circuitOpensAfterRepeatedFailuresFailsFastAndRecoversAfterTheWait() {
		this.client.close();
		SettableClock clock = SettableClock.startingAt2030();
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.clock(clock)
			.slidingWindowSize(4)
			.minimumNumberOfCalls(4)
			.failureRateThreshold(50)
			.waitDurationInOpenState(Duration.ofMillis(500))
			.permittedNumberOfCallsInHalfOpenState(1)
			.build());
		this.client = clientBuilder().circuitBreakerRegistry(breakers).build();
		FetchPolicy sequential = NO_RETRY.withConcurrency(1)
			.withRetry(RetryPolicy.of(3, Duration.ofMillis(5), Duration.ofMillis(10)));

		List<FetchOutcome> failures = fetchAll(times(2, "/status/500"), sequential);
		FetchOutcome open = this.client.fetch(FetchRequest.get(this.upstream.url("/ok")), sequential)
			.block(Duration.ofSeconds(10));

		// 2 requests × up to 3 attempts: the breaker opens on the 4th failure and stops the rest.
		assertThat(failures).extracting(FetchOutcome::kind).contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(this.upstream.hits("/status/500")).isEqualTo(4);
		assertThat(open.kind()).isEqualTo(OutcomeKind.CIRCUIT_OPEN);
		assertThat(open.attempts()).isZero();
		assertThat(this.upstream.hits("/ok")).isZero();
		assertThat(breakerState()).isEqualTo(
				io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);

		clock.advance(Duration.ofMillis(600));
		FetchOutcome probe = this.client.fetch(FetchRequest.get(this.upstream.url("/ok")), sequential)
			.block(Duration.ofSeconds(10));
		assertThat(probe.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(breakerState()).isEqualTo(
				io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
	}

	@Test
	void timeoutsCountAsCircuitBreakerFailures() {
		this.client.close();
		CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowSize(2)
			.minimumNumberOfCalls(2)
			.waitDurationInOpenState(Duration.ofMinutes(1))
			.build());
		this.client = clientBuilder().circuitBreakerRegistry(breakers).build();

		fetchAll(times(2, "/never"), NO_RETRY.withConcurrency(2).withTimeout(Duration.ofMillis(300)));

		assertThat(breakerState()).isEqualTo(
				io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
	}

	@Test
	void failFastCancelsTheRestAfterTheFirstFailure() {
		List<FetchRequest> requests = new ArrayList<>(times(4, "/never"));
		requests.add(FetchRequest.get(this.upstream.url("/status/500")));
		requests.addAll(times(3, "/sleep/60000"));
		FetchPolicy policy = NO_RETRY.withConcurrency(5).withFailFast(true);

		List<FetchOutcome> outcomes = fetchAll(requests, policy);

		assertThat(outcomes).hasSize(8);
		assertThat(outcomes.get(0).index()).isEqualTo(4);
		assertThat(outcomes.get(0).kind()).isEqualTo(OutcomeKind.HTTP_ERROR);
		assertThat(outcomes.subList(1, 8)).allMatch(o -> o.kind() == OutcomeKind.CANCELLED);
		assertThat(outcomes).extracting(FetchOutcome::index).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.upstream.inFlight()).isEqualTo(0));
	}

	@Test
	void resumptionFetchesOnlyIncludedIndexesAndKeepsThem() {
		List<FetchOutcome> outcomes = this.client.fetchAll(times(5, "/ok"), NO_RETRY, index -> index % 2 == 1, FetchScope.SHARED)
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(outcomes).extracting(FetchOutcome::index).containsExactlyInAnyOrder(1, 3);
		assertThat(this.upstream.hits("/ok")).isEqualTo(2);
	}

	@Test
	void bodyOverTheLimitIsDroppedWithoutReadingIt() {
		FetchPolicy policy = NO_RETRY.withMaxBodySize(1024 * 1024);

		FetchOutcome streamed = this.client.fetch(FetchRequest.get(this.upstream.url("/big/50")), policy)
			.block(Duration.ofSeconds(30));

		assertThat(streamed.kind()).isEqualTo(OutcomeKind.BODY_TOO_LARGE);
		assertThat(streamed.body()).isNull();
		assertThat(streamed.bodySize()).isBetween(1024L * 1024, 2L * 1024 * 1024);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.upstream.connectionsClosed()).isEqualTo(1));
		// The upstream could not push its 50 MiB: the connection was dropped once the limit was passed.
		assertThat(this.upstream.bytesSent()).isLessThan(20L * 1024 * 1024);
	}

	@Test
	void bodyDeclaredOverTheLimitIsRefusedFromItsHeaders() {
		FetchOutcome declared = this.client
			.fetch(FetchRequest.get(this.upstream.url("/big/50/declared")), NO_RETRY.withMaxBodySize(1024 * 1024))
			.block(Duration.ofSeconds(30));

		assertThat(declared.kind()).isEqualTo(OutcomeKind.BODY_TOO_LARGE);
		assertThat(declared.bodySize()).isEqualTo(50L * 1024 * 1024);
		assertThat(this.upstream.bytesSent()).isLessThan(20L * 1024 * 1024);
	}

	@Test
	void binaryBodyReportsItsSizeOnly() {
		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url("/image")), NO_RETRY)
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(outcome.body()).isNull();
		assertThat(outcome.bodySize()).isEqualTo(8);
	}

	@Test
	void jsonPathExtractsFromJsonResponses() {
		FetchRequest request = FetchRequest.get(this.upstream.url("/json"))
			.withExtract(Map.of("temperature", "$.current_condition.tmp", "missing", "$.nope.nothing",
					"tags", "$.tags"));

		FetchOutcome outcome = this.client.fetch(request, NO_RETRY).block(Duration.ofSeconds(10));

		assertThat(outcome.extracted()).containsEntry("temperature", 21)
			.containsEntry("missing", null)
			.containsEntry("tags", List.of("a", "b"));
	}

	@Test
	void cssSelectorsExtractTextAndAttributesFromHtml() {
		FetchRequest request = FetchRequest.get(this.upstream.url("/html"))
			.withExtract(Map.of("title", "h1.title", "next", "a.next@href", "absent", "div.nothing"));

		FetchOutcome outcome = this.client.fetch(request, NO_RETRY).block(Duration.ofSeconds(10));

		assertThat(outcome.extracted()).containsEntry("title", "Hello, scraper")
			.containsEntry("next", "/page/2")
			.containsEntry("absent", null);
	}

	@Test
	void badExtractionRulesAreRefusedBeforeAnythingIsSent() {
		assertThatThrownBy(() -> FetchRequest.get(this.upstream.url("/json")).withExtract(Map.of("t", "$['a'")))
			.isInstanceOf(InvalidFetchRequestException.class)
			.extracting((ex) -> ((InvalidFetchRequestException) ex).field())
			.isEqualTo("extract.t");
		assertThatThrownBy(() -> FetchRequest.get(this.upstream.url("/html")).withExtract(Map.of("t", "div[")))
			.isInstanceOf(InvalidFetchRequestException.class);
		assertThat(this.upstream.connectionsOpened()).isEqualTo(0);
	}

	@Test
	void aRuleReadingARegularExpressionIsNeverRunAndItsResponsesFailExtraction() {
		// Submissions refuse such rules (PolicyLimits); one stored before that still reaches the client.
		FetchRequest request = FetchRequest.get(this.upstream.url("/json"))
			.withExtract(Map.of("hostile", "$[?(@ =~ /((a+)+)+b/)]", "fine", "$.tags"));

		FetchOutcome outcome = this.client.fetch(request, NO_RETRY).block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.EXTRACTION_FAILED);
		assertThat(outcome.httpStatus()).isEqualTo(200);
		assertThat(outcome.body()).contains("Sunny");
		assertThat(outcome.extracted()).containsEntry("hostile", null).containsEntry("fine", null);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.EXTRACTION);
		assertThat(outcome.error().message()).contains("extract.hostile").contains("regular expressions");
	}

	@Test
	void postSendsItsBodyAndHeadersAndTheUserAgent() {
		FetchRequest request = new FetchRequest(FetchRequest.parseUrl(this.upstream.url("/echo")), "post",
				Map.of("Authorization", "Bearer s3cret"), "hello", Map.of());

		FetchOutcome outcome = this.client.fetch(request, NO_RETRY).block(Duration.ofSeconds(10));

		assertThat(outcome.body()).isEqualTo("POST hello ua=Fanout auth=Bearer s3cret traceparent=null");
		assertThat(request.toString()).doesNotContain("s3cret");
	}

	@Test
	void redirectsAreNotFollowedUnlessThePolicyAsks() {
		FetchRequest request = FetchRequest.get(this.upstream.url("/redirect?to=/ok"));

		FetchOutcome notFollowed = this.client.fetch(request, NO_RETRY).block(Duration.ofSeconds(10));
		FetchOutcome followed = this.client.fetch(request, NO_RETRY.withRedirects(true, 5)).block(Duration.ofSeconds(10));

		assertThat(notFollowed.httpStatus()).isEqualTo(302);
		assertThat(followed.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(followed.httpStatus()).isEqualTo(200);
		assertThat(followed.body()).isEqualTo("ok");
	}

	@Test
	void redirectLoopsStopAtMaxHops() {
		String self = "/redirect?to=" + java.net.URLEncoder.encode("/redirect?to=/ok", java.nio.charset.StandardCharsets.UTF_8);
		FetchOutcome outcome = this.client.fetch(FetchRequest.get(this.upstream.url(self)), NO_RETRY.withRedirects(true, 1))
			.block(Duration.ofSeconds(10));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.HTTP_ERROR);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.PROTOCOL);
		assertThat(outcome.httpStatus()).isEqualTo(302);
	}

	@Test
	void metricsAreTaggedByHostAndOutcome() {
		fetchAll(List.of(FetchRequest.get(this.upstream.url("/ok")), FetchRequest.get(this.upstream.url("/status/404"))),
				NO_RETRY);

		assertThat(this.meters.timer("fanout.fetch.requests", "host", "127.0.0.1", "outcome", "SUCCEEDED").count())
			.isEqualTo(1);
		assertThat(this.meters.timer("fanout.fetch.requests", "host", "127.0.0.1", "outcome", "HTTP_ERROR").count())
			.isEqualTo(1);
		assertThat(this.meters.getMeters()).allSatisfy(meter -> assertThat(meter.getId().getTags())
			.noneMatch(tag -> tag.getValue().contains("/")));
	}

	@Test
	void thousandsAtOnceNeedNoMoreThanTheConfiguredPool() {
		// A generous timeout: on a busy machine 3,000 connections take a while to open; the pool is the point.
		List<FetchOutcome> outcomes = fetchAll(times(3000, "/sleep/2000"),
				NO_RETRY.withConcurrency(3000).withTimeout(Duration.ofSeconds(60)));

		assertThat(outcomes).hasSize(3000).allMatch(FetchOutcome::succeeded);
		assertThat(this.upstream.maxInFlight()).isGreaterThan(1000);
	}

	@Test
	void workStartsOnlyOnSubscription() {
		Flux<FetchOutcome> outcomes = this.client.fetchAll(times(2, "/ok"), NO_RETRY);
		assertThat(this.upstream.connectionsOpened()).isEqualTo(0);

		StepVerifier.create(outcomes).expectNextCount(2).expectComplete().verify(Duration.ofSeconds(10));
	}

}
