package io.fanout.fetch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.TestUpstream;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rates and shared budgets end to end, against a real server on 127.0.0.1 that records when each
 * request arrived. The upstream's own count is what is asserted: the most requests it saw in any
 * one-second window. Durations are checked from below (a rate cannot be beaten) and only loosely
 * from above. Each client makes one request first: a cold client's first requests take long enough
 * to set up that requests sent at their slots would reach the upstream bunched together.
 */
class RateLimitTests {

	private static final Duration SECOND = Duration.ofSeconds(1);

	private static final FetchPolicy POLICY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10));

	private final TestUpstream upstream = new TestUpstream();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private ReactorFetchClient client = client(ReactorFetchClient.builder());

	@AfterEach
	void close() {
		this.client.close();
		this.upstream.close();
	}

	@Test
	void aJobRateSpacesItsRequestsEvenly() {
		FetchPolicy tenPerSecond = POLICY.withConcurrency(50).withRateLimit(Rate.perSecond(10));

		List<FetchOutcome> outcomes = fetch(requests("/ok/job-rate/", 50), tenPerSecond, FetchScope.SHARED);

		assertThat(outcomes).hasSize(50).allMatch(FetchOutcome::succeeded);
		// 50 requests one every 100 ms: 4.9 s from the first slot to the last (the first request, which
		// opens a connection, may arrive a little late).
		assertThat(this.upstream.span("/ok/job-rate/")).isGreaterThanOrEqualTo(Duration.ofMillis(4600))
			.isLessThan(Duration.ofSeconds(15));
		assertThat(this.upstream.mostInAnyWindow("/ok/job-rate/", SECOND)).isLessThanOrEqualTo(11);
		// All but the first waited for their slot, and say so.
		Timer waits = this.meters.get("fanout.fetch.turn.wait").tag("host", "127.0.0.1").timer();
		assertThat(waits.count()).isGreaterThanOrEqualTo(45);
		assertThat(waits.max(TimeUnit.SECONDS)).isGreaterThan(3);
	}

	@Test
	void batchesOfATenantNamingOneFlowKeyShareItsRateAndParallelism() {
		FlowControl partner = new FlowControl("partner-api", Rate.perSecond(20), 3);
		FetchPolicy policy = POLICY.withConcurrency(15).withFlowControl(partner);
		FetchScope tenant = new FetchScope("team-a");

		List<List<FetchOutcome>> both = Flux
			.merge(this.client.fetchAll(requests("/sleep/50?flow=a", 15), policy, (i) -> true, tenant).collectList(),
					this.client.fetchAll(requests("/sleep/50?flow=b", 15), policy, (i) -> true, tenant).collectList())
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(both).hasSize(2).allSatisfy((outcomes) -> assertThat(outcomes).allMatch(FetchOutcome::succeeded));
		// 30 requests of one key at 20 per second: 1.45 s from the first slot to the last, however they
		// are split; the first request, which opens a connection, may arrive a little late.
		assertThat(this.upstream.span("/sleep/50")).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
		assertThat(this.upstream.mostInAnyWindow("/sleep/50", SECOND)).isLessThanOrEqualTo(21);
		assertThat(this.upstream.maxInFlight()).isLessThanOrEqualTo(3);
	}

	@Test
	void aConfiguredHostRateHoldsForEveryBatchAndTenant() {
		this.client.close();
		this.client = client(ReactorFetchClient.builder()
			.hostSettings((host) -> new Admission.HostSettings(10_000, Rate.perSecond(20))));

		List<List<FetchOutcome>> both = Flux
			.merge(fetchLater(requests("/ok/host-rate/a", 15), new FetchScope("team-a")),
					fetchLater(requests("/ok/host-rate/b", 15), new FetchScope("team-b")))
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(both).hasSize(2).allSatisfy((outcomes) -> assertThat(outcomes).allMatch(FetchOutcome::succeeded));
		assertThat(this.upstream.span("/ok/host-rate/")).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
		assertThat(this.upstream.mostInAnyWindow("/ok/host-rate/", SECOND)).isLessThanOrEqualTo(21);
	}

	@Test
	void aTenantsRequestsInFlightStayWithinItsBoundWhateverItsBatchesAsk() {
		FetchScope bounded = new FetchScope("team-a", 2);

		List<List<FetchOutcome>> both = Flux
			.merge(fetchLater(requests("/sleep/100?tenant=1", 6), bounded),
					fetchLater(requests("/sleep/100?tenant=2", 6), bounded))
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(both).allSatisfy((outcomes) -> assertThat(outcomes).hasSize(6).allMatch(FetchOutcome::succeeded));
		assertThat(this.upstream.maxInFlight()).isEqualTo(2);
	}

	@Test
	void aHostThatAnswers429IsSlowedDownForEveryBatchUntilItStopsComplaining() {
		FetchPolicy patient = POLICY.withConcurrency(20)
			.withRetry(RetryPolicy.of(10, Duration.ofMillis(50), Duration.ofMillis(500)));
		long start = System.nanoTime();

		List<FetchOutcome> outcomes = fetch(requests("/limited/20/adaptive/", 80), patient, FetchScope.SHARED);

		assertThat(outcomes).hasSize(80).allMatch(FetchOutcome::succeeded);
		List<Long> refusals = this.upstream.refusedByRate();
		assertThat(refusals).isNotEmpty();
		long end = System.nanoTime();
		long middle = start + (end - start) / 2;
		long early = refusals.stream().filter((at) -> at < middle).count();
		long late = refusals.size() - early;
		// Once slowed down, the host is asked less often than it refuses.
		assertThat(late).isLessThan(early);
		assertThat(this.client.admission().slowDown("127.0.0.1")).isPositive();
		assertThat(this.meters.get("fanout.fetch.throttled").counter().count()).isEqualTo(refusals.size());
		assertThat(this.meters.get("fanout.fetch.hosts.slowed").gauge().value()).isEqualTo(1);
	}

	private ReactorFetchClient client(ReactorFetchClient.Builder builder) {
		ReactorFetchClient client = builder.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
			.meterRegistry(this.meters)
			.build();
		client.fetchAll(List.of(FetchRequest.get(this.upstream.url("/ok/warm-up"))), POLICY).blockLast(SECOND.multipliedBy(30));
		return client;
	}

	private List<FetchOutcome> fetch(List<FetchRequest> requests, FetchPolicy policy, FetchScope scope) {
		return this.client.fetchAll(requests, policy, (index) -> true, scope).collectList().block(Duration.ofSeconds(60));
	}

	private reactor.core.publisher.Mono<List<FetchOutcome>> fetchLater(List<FetchRequest> requests, FetchScope scope) {
		return this.client.fetchAll(requests, POLICY.withConcurrency(requests.size()), (index) -> true, scope)
			.collectList();
	}

	private List<FetchRequest> requests(String prefix, int count) {
		return IntStream.range(0, count)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url(prefix + (prefix.contains("?") ? "&i=" : "") + i)))
			.toList();
	}

}
