package io.fanout.scheduler.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.jobs.ClaimedJob;
import io.fanout.scheduler.jobs.LeaseLostException;
import io.fanout.scheduler.jobs.NewJob;
import io.fanout.scheduler.jobs.R2dbcJobQueue;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.support.TestNode;
import io.fanout.test.RequiresPostgres;
import io.fanout.test.SettableClock;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestIds;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fanout instances sharing one PostgreSQL, each a full Spring Boot context with its own node id, its
 * own workers and its own fetch client, against a real local upstream that counts what it receives.
 * Skipped without a local PostgreSQL, except in CI where that fails.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresClusterIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final SettableClock clock = SettableClock.startingAt2030();

	private final List<TestNode> nodes = new ArrayList<>();

	private TestDatabase database;

	private TestUpstream upstream;

	@BeforeAll
	void startDatabaseAndUpstream() {
		this.database = TestDatabase.postgres();
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
	void twoNodesRunEveryJobAndStoreEveryResultExactlyOnce() {
		TestNode a = node("node-a", "fanout.scheduler.max-concurrent-jobs", "8");
		TestNode b = node("node-b", "fanout.scheduler.max-concurrent-jobs", "8");
		int jobs = 200;
		int requestsPerJob = 3;
		int requestsBefore = this.upstream.requests();
		Flux.range(0, jobs)
			.flatMap((j) -> ((j % 2 == 0) ? a : b).jobService()
				.submit("tenant-" + (j % 3), spec("/ok/cluster/" + j + "/", requestsPerJob)), 16)
			.blockLast(TIMEOUT);

		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.database.queryForLong("SELECT COUNT(*) FROM jobs WHERE status = 'COMPLETED'") == jobs);

		// Every job was claimed once and ran once, and both nodes took part.
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs WHERE attempt <> 1")).isZero();
		assertThat(this.database.queryForLong("SELECT COUNT(DISTINCT lease_owner) FROM jobs")).isEqualTo(2);
		// Every result is stored once, and counted once.
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isEqualTo(jobs * requestsPerJob);
		assertThat(this.database.queryForStrings("SELECT url || ' ' || outcome || ' ' || COALESCE(error_message, '') "
				+ "FROM job_results WHERE outcome <> 'SUCCEEDED'")).isEmpty();
		assertThat(this.database.queryForLong("SELECT SUM(succeeded) FROM jobs")).isEqualTo(jobs * requestsPerJob);
		// The upstream saw each request exactly once.
		assertThat(this.upstream.requests() - requestsBefore).isEqualTo(jobs * requestsPerJob);
		for (int j = 0; j < jobs; j++) {
			for (int i = 0; i < requestsPerJob; i++) {
				assertThat(this.upstream.hits("/ok/cluster/" + j + "/" + i)).as("request %d of job %d", i, j).isEqualTo(1);
			}
		}
	}

	@Test
	void jobOfANodeThatDiedIsFinishedByAnotherFetchingOnlyWhatHadNoResult() {
		// The node that dies is simulated by claiming through bare stores and never renewing.
		Database ghostDatabase = new Database(this.database.connectionFactory());
		R2dbcJobQueue ghost = new R2dbcJobQueue(ghostDatabase);
		try {
			JobSpec spec = spec("/ok/takeover/", 5);
			Instant now = this.clock.instant();
			Job job = new R2dbcJobRepository(ghostDatabase).insert(new NewJob(TestIds.next(now), "alice", spec, null, null, now)).block(TIMEOUT);
			ClaimedJob claimed = ghost.claim("ghost", 1, now, now.plusSeconds(30)).blockFirst(TIMEOUT);
			assertThat(claimed.job().id()).isEqualTo(job.id());
			ghost.appendResults(claimed.fence(), List.of(succeeded(job, spec, 1, now), succeeded(job, spec, 4, now)))
				.block(TIMEOUT);

			TestNode survivor = node("node-b");
			this.clock.advance(Duration.ofSeconds(31));
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(get(survivor, job)).extracting(Job::status).isEqualTo(JobStatus.COMPLETED));

			Job done = get(survivor, job);
			assertThat(done.attempt()).isEqualTo(2);
			assertThat(ghost.lease(job.id()).block(TIMEOUT)).as("finished: no lease").isNull();
			assertThat(this.database.queryForStrings("SELECT lease_owner FROM jobs WHERE id = '" + job.id() + "'"))
				.containsExactly("node-b");
			assertThat(done.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(5);
			assertThat(this.upstream.hits("/ok/takeover/1")).isZero();
			assertThat(this.upstream.hits("/ok/takeover/4")).isZero();
			assertThat(List.of(0, 2, 3)).allSatisfy(
					(i) -> assertThat(this.upstream.hits("/ok/takeover/" + i)).isEqualTo(1));
			assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isEqualTo(5);

			// The dead node, were it to come back, can no longer write to the job.
			StepVerifier.create(ghost.appendResults(claimed.fence(), List.of(succeeded(job, spec, 0, now))))
				.expectError(LeaseLostException.class)
				.verify(TIMEOUT);
			StepVerifier.create(ghost.renew(claimed.fence(), now.plusSeconds(120)))
				.expectNext(false)
				.expectComplete()
				.verify(TIMEOUT);
		}
		finally {
			ghostDatabase.close();
		}
	}

	@Test
	void aDatabaseBlipMidJobCostsNeitherTheLeaseNorARefetch() {
		TestNode a = node("node-a", "fanout.scheduler.result-batch-size", "2");
		JobSpec spec = JobSpec.of(IntStream.range(0, 24)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url("/sleep/200?blip=" + i)))
			.toList(), FetchPolicy.DEFAULT.withConcurrency(4));
		Job job = a.jobService().submit("alice", spec).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> get(a, job).progress().done() >= 4);

		// Every connection of the node goes at once, as in a PostgreSQL restart; the pool opens new ones.
		assertThat(this.database.terminateConnections()).isPositive();

		// The clock does not move: a job that waited for its lease to expire would never end here. The
		// reads of the test itself may meet a dropped connection too.
		await().atMost(TIMEOUT).ignoreExceptions().until(() -> get(a, job).status() == JobStatus.COMPLETED);
		Job done = get(a, job);
		assertThat(done.attempt()).isEqualTo(1);
		assertThat(done.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(24);
		assertThat(IntStream.range(0, 24)).allSatisfy(
				(i) -> assertThat(this.upstream.hits("/sleep/200?blip=" + i)).as("request %d", i).isEqualTo(1));
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isEqualTo(24);
	}

	@Test
	void cancellingThroughAnotherNodeAbortsInFlightRequestsAndEndsTheJobCancelled() {
		TestNode a = node("node-a");
		TestNode b = node("node-b");
		int abortedBefore = this.upstream.aborted();
		List<FetchRequest> requests = new ArrayList<>();
		requests.add(FetchRequest.get(this.upstream.url("/ok/cancel/0")));
		requests.add(FetchRequest.get(this.upstream.url("/ok/cancel/1")));
		IntStream.range(2, 6).forEach((i) -> requests.add(FetchRequest.get(this.upstream.url("/never/cancel/" + i))));
		JobSpec spec = JobSpec.of(requests, FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(5)));
		Job job = a.jobService().submit("alice", spec).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> IntStream.range(2, 6).allMatch((i) -> this.upstream.hits("/never/cancel/" + i) == 1)
				&& get(a, job).progress().count(OutcomeKind.SUCCEEDED) == 2);

		String runner = this.database.queryForStrings("SELECT lease_owner FROM jobs WHERE id = '" + job.id() + "'").get(0);
		TestNode other = "node-a".equals(runner) ? b : a;
		StepVerifier.create(other.jobService().cancel("alice", job.id()))
			.assertNext((flagged) -> assertThat(flagged.cancelRequested()).isTrue())
			.expectComplete()
			.verify(TIMEOUT);

		// The running node notices within about a second (cancel-check-interval 500 ms); the margin
		// here is generous so that a slow machine does not fail the test.
		await().atMost(Duration.ofSeconds(5)).until(() -> this.upstream.aborted() == abortedBefore + 4);
		await().atMost(Duration.ofSeconds(5)).until(() -> get(other, job).status() == JobStatus.CANCELLED);
		Job cancelled = get(other, job);
		assertThat(cancelled.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(2);
		assertThat(cancelled.progress().count(OutcomeKind.CANCELLED)).isEqualTo(4);
		assertThat(cancelled.progress().pending()).isZero();
		List<JobResult> results = other.jobService().results("alice", job.id(), ResultQuery.all()).block(TIMEOUT).items();
		assertThat(results).extracting(JobResult::outcome)
			.containsExactly(OutcomeKind.SUCCEEDED, OutcomeKind.SUCCEEDED, OutcomeKind.CANCELLED, OutcomeKind.CANCELLED,
					OutcomeKind.CANCELLED, OutcomeKind.CANCELLED);
		assertThat(this.upstream.hanging()).isZero();
	}

	@Test
	void liveStreamOnANodeNotRunningTheJobFollowsItToTheEnd() {
		TestNode runner = node("node-a");
		TestNode watcher = node("node-b", "fanout.scheduler.worker-enabled", "false");
		JobSpec spec = spec("/ok/stream/", 20).withPolicy(FetchPolicy.DEFAULT.withConcurrency(2));
		Job job = watcher.jobService().submit("alice", spec).block(TIMEOUT);
		StepVerifier.create(watcher.jobService().streamResults("alice", job.id()).map(JobResult::index).collectList())
			.assertNext((indexes) -> assertThat(indexes).hasSize(20).doesNotHaveDuplicates())
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(get(runner, job).status()).isEqualTo(JobStatus.COMPLETED);
	}

	private TestNode node(String nodeId, String... properties) {
		Map<String, Object> all = new HashMap<>(this.database.r2dbcProperties());
		all.put("fanout.scheduler.node-id", nodeId);
		for (int i = 0; i + 1 < properties.length; i += 2) {
			all.put(properties[i], properties[i + 1]);
		}
		TestNode node = TestNode.start(all, this.clock);
		this.nodes.add(node);
		return node;
	}

	private JobSpec spec(String pathPrefix, int requests) {
		return JobSpec.of(IntStream.range(0, requests)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url(pathPrefix + i)))
			.toList(), FetchPolicy.DEFAULT);
	}

	private static Job get(TestNode node, Job job) {
		return node.jobService().get(job.owner(), job.id()).block(TIMEOUT);
	}

	private static JobResult succeeded(Job job, JobSpec spec, int index, Instant at) {
		return JobResult.of(job.id(), spec.requests().get(index), new FetchOutcome(index, OutcomeKind.SUCCEEDED, 200, 1,
				at, Duration.ofMillis(1), "{}", 2, Map.of(), null));
	}

}
