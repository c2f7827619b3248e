package io.fanout.scheduler.rates;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.FlowControl;
import io.fanout.fetch.Rate;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.admission.Admission;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.test.RequiresPostgres;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two "replicas" — two fetch clients, each with a slot store of its own on one PostgreSQL — share
 * the rates of a host and of a flow key through the slot table: the upstream, which records when
 * each request arrived, sees no more than the limit plus 10% in any one-second window. Each replica
 * makes one request first: a cold client's first requests take long enough to set up that requests
 * sent at their slots would reach the upstream bunched together.
 */
@RequiresPostgres
class PostgresSlotLeasesTests {

	private static final Duration SECOND = Duration.ofSeconds(1);

	private static final FetchPolicy POLICY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10))
		.withConcurrency(20);

	private final List<AutoCloseable> closing = new ArrayList<>();

	private TestDatabase database;

	private TestUpstream upstream;

	@BeforeEach
	void start() {
		this.database = TestDatabase.postgres();
		this.upstream = new TestUpstream();
	}

	@AfterEach
	void stop() throws Exception {
		for (AutoCloseable closeable : this.closing) {
			closeable.close();
		}
		this.upstream.close();
		this.database.close();
	}

	@Test
	void aHostRateHoldsAcrossReplicas() {
		ReactorFetchClient a = replica(Rate.perSecond(20));
		ReactorFetchClient b = replica(Rate.perSecond(20));

		List<List<FetchOutcome>> both = Flux
			.merge(a.fetchAll(requests("/ok/shared-host/a/", 20), POLICY).collectList(),
					b.fetchAll(requests("/ok/shared-host/b/", 20), POLICY).collectList())
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(both).allSatisfy((outcomes) -> assertThat(outcomes).hasSize(20).allMatch(FetchOutcome::succeeded));
		assertThat(this.upstream.mostInAnyWindow("/ok/shared-host/", SECOND)).isLessThanOrEqualTo(22);
		// 40 requests at 20 per second: about 2 s, whichever replica sent them.
		assertThat(this.upstream.span("/ok/shared-host/")).isGreaterThanOrEqualTo(Duration.ofMillis(1600));
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM rate_slots WHERE rate_key = 'host:127.0.0.1'"))
			.isEqualTo(1);
	}

	@Test
	void aFlowKeysRateHoldsAcrossReplicasForItsTenantOnly() {
		ReactorFetchClient a = replica(null);
		ReactorFetchClient b = replica(null);
		FetchPolicy partner = POLICY.withFlowControl(new FlowControl("partner", Rate.perSecond(20), null));
		FetchScope tenant = new FetchScope("team-a");

		List<List<FetchOutcome>> both = Flux
			.merge(a.fetchAll(requests("/ok/shared-flow/a/", 20), partner, (i) -> true, tenant).collectList(),
					b.fetchAll(requests("/ok/shared-flow/b/", 20), partner, (i) -> true, tenant).collectList())
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(both).allSatisfy((outcomes) -> assertThat(outcomes).hasSize(20).allMatch(FetchOutcome::succeeded));
		assertThat(this.upstream.mostInAnyWindow("/ok/shared-flow/", SECOND)).isLessThanOrEqualTo(22);
		assertThat(this.upstream.span("/ok/shared-flow/")).isGreaterThanOrEqualTo(Duration.ofMillis(1600));
		assertThat(this.database.queryForStrings("SELECT rate_key FROM rate_slots"))
			.containsExactly("flow:team-a:partner");
	}

	private ReactorFetchClient replica(Rate hostRate) {
		// Each replica leases through its own store; they meet only in the database.
		Database db = new Database(this.database.connectionFactory());
		ReactorFetchClient client = ReactorFetchClient.builder()
			.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
			.hostSettings((host) -> new Admission.HostSettings(10_000, hostRate))
			.slotLeases(new PostgresSlotLeases(db))
			.build();
		this.closing.add(client);
		this.closing.add(db);
		client.fetchAll(List.of(FetchRequest.get(this.upstream.url("/ok/warm-up"))), POLICY).blockLast(SECOND.multipliedBy(30));
		return client;
	}

	private List<FetchRequest> requests(String prefix, int count) {
		return IntStream.range(0, count).mapToObj((i) -> FetchRequest.get(this.upstream.url(prefix + i))).toList();
	}

}
