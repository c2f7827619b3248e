package io.fanout.fetch;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.TestUpstream;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Circuit breakers are kept per tenant and host: one tenant's own failures (1 ms timeouts against a
 * healthy host) open its breaker and no one else's, while a host that fails for everyone opens every
 * tenant's breaker from that tenant's own traffic.
 */
class BreakerIsolationTests {

	private static final FetchScope TENANT_A = new FetchScope("tenant-a");

	private static final FetchScope TENANT_B = new FetchScope("tenant-b");

	private static final FetchPolicy NO_RETRY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10))
		.withConcurrency(5);

	private final TestUpstream upstream = new TestUpstream();

	private final ReactorFetchClient client = ReactorFetchClient.builder()
		.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
		.circuitBreakerRegistry(CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowSize(10)
			.minimumNumberOfCalls(10)
			.failureRateThreshold(50)
			.waitDurationInOpenState(Duration.ofMinutes(1))
			.build()))
		.build();

	@AfterEach
	void close() {
		this.client.close();
		this.upstream.close();
	}

	private List<FetchOutcome> fetchAll(FetchScope scope, List<FetchRequest> requests, FetchPolicy policy) {
		List<FetchOutcome> outcomes = this.client.fetchAll(requests, policy, (index) -> true, scope)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(outcomes).isNotNull().hasSize(requests.size());
		return outcomes;
	}

	private static List<FetchRequest> times(int count, String url) {
		return IntStream.range(0, count).mapToObj((i) -> FetchRequest.get(url)).toList();
	}

	private CircuitBreaker.State state(FetchScope scope) {
		return this.client.breaker(scope, "127.0.0.1").orElseThrow().getState();
	}

	@Test
	void aTenantsOwnTimeoutsLeaveAnotherTenantsRequestsToTheSameHostUnaffected() {
		// A healthy host that takes 200 ms, asked with a 1 ms timeout: every one of A's requests fails.
		List<FetchOutcome> hostile = fetchAll(TENANT_A, times(50, this.upstream.url("/sleep/200")),
				NO_RETRY.withTimeout(Duration.ofMillis(1)).withConcurrency(20));

		// REJECTED: the 1 ms ran out before the request was even sent (not a failure of the host).
		assertThat(hostile).extracting(FetchOutcome::kind)
			.isSubsetOf(OutcomeKind.TIMED_OUT, OutcomeKind.REJECTED, OutcomeKind.CIRCUIT_OPEN)
			.contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(state(TENANT_A)).isEqualTo(CircuitBreaker.State.OPEN);

		List<FetchOutcome> other = fetchAll(TENANT_B, times(20, this.upstream.url("/ok")), NO_RETRY.withConcurrency(20));

		assertThat(other).allSatisfy((outcome) -> assertThat(outcome.kind()).as(outcome.toString())
			.isEqualTo(OutcomeKind.SUCCEEDED));
		assertThat(this.upstream.hits("/ok")).isEqualTo(20);
		assertThat(state(TENANT_B)).isEqualTo(CircuitBreaker.State.CLOSED);
		// A's breaker is still open: its own requests, even to a path that would answer, fail fast.
		FetchOutcome stillOpen = fetchAll(TENANT_A, times(1, this.upstream.url("/ok?a")), NO_RETRY).get(0);
		assertThat(stillOpen.kind()).isEqualTo(OutcomeKind.CIRCUIT_OPEN);
		assertThat(stillOpen.attempts()).isZero();
		assertThat(this.upstream.hits("/ok?a")).isZero();
	}

	@Test
	void aHostThatFailsForEveryoneOpensEveryTenantsBreaker() {
		List<FetchOutcome> a = fetchAll(TENANT_A, times(30, this.upstream.url("/status/500")), NO_RETRY);
		List<FetchOutcome> b = fetchAll(TENANT_B, times(30, this.upstream.url("/status/500")), NO_RETRY);

		assertThat(a).extracting(FetchOutcome::kind).isSubsetOf(OutcomeKind.HTTP_ERROR, OutcomeKind.CIRCUIT_OPEN)
			.contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(b).extracting(FetchOutcome::kind).isSubsetOf(OutcomeKind.HTTP_ERROR, OutcomeKind.CIRCUIT_OPEN)
			.contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(state(TENANT_A)).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(state(TENANT_B)).isEqualTo(CircuitBreaker.State.OPEN);
		// Each open breaker stopped its tenant's traffic: the host was not asked 60 times.
		assertThat(this.upstream.hits("/status/500")).isLessThan(60);
	}

	@Test
	void aHostThatRefusesConnectionsOpensEveryTenantsBreaker() {
		int closedPort;
		try (TestUpstream gone = new TestUpstream()) {
			closedPort = gone.port();
		}
		String url = "http://127.0.0.1:" + closedPort + "/";

		List<FetchOutcome> a = fetchAll(TENANT_A, times(30, url), NO_RETRY);
		List<FetchOutcome> b = fetchAll(TENANT_B, times(30, url), NO_RETRY);

		assertThat(a).extracting(FetchOutcome::kind).isSubsetOf(OutcomeKind.CONNECTION_ERROR, OutcomeKind.CIRCUIT_OPEN)
			.contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(b).extracting(FetchOutcome::kind).isSubsetOf(OutcomeKind.CONNECTION_ERROR, OutcomeKind.CIRCUIT_OPEN)
			.contains(OutcomeKind.CIRCUIT_OPEN);
		assertThat(state(TENANT_A)).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(state(TENANT_B)).isEqualTo(CircuitBreaker.State.OPEN);
	}

}
