package io.fanout.scheduler.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.support.TestNode;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fair claiming and the running-jobs quota, end to end: real instances (full Spring Boot contexts
 * with their own workers) on one database, against a local upstream whose {@code /gate} requests
 * hang until the test opens them. Run on H2 with one instance and on PostgreSQL with two.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FairClaimingContractTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	/** Slots of each instance. */
	private static final int SLOTS = 2;

	private final List<TestNode> nodes = new ArrayList<>();

	private TestDatabase database;

	private TestUpstream upstream;

	/** The database the instances share. */
	abstract TestDatabase database();

	/** How many instances run jobs. */
	abstract int instances();

	@BeforeAll
	void startDatabaseAndUpstream() {
		this.database = database();
		this.upstream = new TestUpstream();
	}

	@AfterAll
	void stopDatabaseAndUpstream() {
		if (this.upstream != null) {
			this.upstream.close();
		}
		if (this.database != null) {
			this.database.close();
		}
	}

	@BeforeEach
	void emptyTables() {
		this.database.execute("DELETE FROM jobs");
	}

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(TestNode::close);
		this.nodes.clear();
	}

	@Test
	void aTenantWithOneJobStartsInTheFirstFreeSlotAheadOfAnotherTenantsFiftyQueuedOnes() {
		List<TestNode> cluster = start();
		int slots = SLOTS * cluster.size();
		// Tenant A fills every slot, and queues the rest at the highest priority.
		Flux.range(0, 50)
			.concatMap((j) -> cluster.get(j % cluster.size()).jobService().submit("tenant-a", gated("a" + j, 1000)))
			.blockLast(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> count("tenant-a", JobStatus.RUNNING) == slots);

		Job b = cluster.get(0).jobService().submit("tenant-b", JobSpec.of(
				List.of(FetchRequest.get(this.upstream.url("/ok/fair/b"))), FetchPolicy.DEFAULT)).block(TIMEOUT);
		// One of A's jobs ends: the slot it frees is B's, though 48 of A's wait with a higher priority.
		this.upstream.open(this.database.queryForStrings(
				"SELECT name FROM jobs WHERE owner = 'tenant-a' AND status = 'RUNNING' ORDER BY id").get(0));

		await().atMost(TIMEOUT).until(() -> status(b) == JobStatus.COMPLETED);
		// A's jobs started: those that filled the slots, the one that ended, and at most one more in the
		// slot B's job freed after it. Without fair claiming B would wait behind all 48.
		long startedOfA = this.database
			.queryForLong("SELECT COUNT(*) FROM jobs WHERE owner = 'tenant-a' AND started_at IS NOT NULL");
		assertThat(startedOfA).isBetween((long) slots, (long) slots + 1);
		assertThat(count("tenant-a", JobStatus.QUEUED)).isGreaterThanOrEqualTo(50 - slots - 1);
	}

	@Test
	void aTenantAtItsRunningJobsQuotaIsSkippedByTheClaimsOfEveryInstance() {
		List<TestNode> cluster = start("fanout.scheduler.quotas.tenants.tenant-a.running-jobs", "1");
		Flux.range(0, 6)
			.concatMap((j) -> cluster.get(j % cluster.size()).jobService().submit("tenant-a", gated("q" + j, 0)))
			.blockLast(TIMEOUT);
		Job b = cluster.get(cluster.size() - 1).jobService()
			.submit("tenant-b", JobSpec.of(List.of(FetchRequest.get(this.upstream.url("/ok/quota/b"))),
					FetchPolicy.DEFAULT))
			.block(TIMEOUT);

		// Free slots remain on every instance, yet A never runs more than one job.
		await().atMost(TIMEOUT).until(() -> status(b) == JobStatus.COMPLETED);
		await().atMost(TIMEOUT).until(() -> count("tenant-a", JobStatus.RUNNING) == 1);
		long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
		while (System.nanoTime() < deadline) {
			assertThat(count("tenant-a", JobStatus.RUNNING)).isLessThanOrEqualTo(1);
		}
		// A finished job frees its place: the next one runs.
		String first = this.database
			.queryForStrings("SELECT name FROM jobs WHERE owner = 'tenant-a' AND status = 'RUNNING'").get(0);
		this.upstream.open(first);
		await().atMost(TIMEOUT)
			.until(() -> this.database.queryForLong("SELECT COUNT(*) FROM jobs WHERE owner = 'tenant-a' "
					+ "AND status = 'RUNNING' AND name <> '" + first + "'") == 1);
		assertThat(count("tenant-a", JobStatus.RUNNING)).isLessThanOrEqualTo(1);
		assertThat(count("tenant-a", JobStatus.COMPLETED)).isEqualTo(1);
	}

	private List<TestNode> start(String... properties) {
		for (int i = 0; i < instances(); i++) {
			Map<String, Object> all = new HashMap<>(this.database.r2dbcProperties());
			all.put("fanout.scheduler.node-id", "node-" + i);
			all.put("fanout.scheduler.max-concurrent-jobs", Integer.toString(SLOTS));
			// The gated jobs still hanging at the end are released at once.
			all.put("fanout.scheduler.shutdown-grace-period", "0s");
			for (int p = 0; p + 1 < properties.length; p += 2) {
				all.put(properties[p], properties[p + 1]);
			}
			this.nodes.add(TestNode.start(all, null));
		}
		return List.copyOf(this.nodes);
	}

	/** A job named {@code gate} of one request that hangs until that gate is opened. */
	private JobSpec gated(String gate, int priority) {
		return new JobSpec(gate, Map.of(), priority, List.of(FetchRequest.get(this.upstream.url("/gate/" + gate + "/0"))),
				FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(1)), null);
	}

	private long count(String owner, JobStatus status) {
		return this.database.queryForLong(
				"SELECT COUNT(*) FROM jobs WHERE owner = '" + owner + "' AND status = '" + status.name() + "'");
	}

	private JobStatus status(Job job) {
		return JobStatus.valueOf(this.database.queryForStrings("SELECT status FROM jobs WHERE id = '" + job.id() + "'")
			.get(0));
	}

}
