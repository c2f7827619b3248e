package io.fanout.scheduler.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.ClaimedJob;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.jobs.Fence;
import io.fanout.scheduler.jobs.JobQueue;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.SettableClock;
import io.fanout.test.TestUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One worker on the embedded database, running jobs against a real local upstream. Time-based
 * behaviour (deadlines, leases, retention) is driven by moving a settable clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobWorkerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private SettableClock clock;

	private JobQueue store;

	private TestUpstream upstream;

	private JobWorker worker;

	private DefaultJobService service;

	@BeforeAll
	void useTheFixture() {
		this.clock = fixture.clock();
		this.store = fixture.queue();
		this.upstream = fixture.upstream();
	}

	@BeforeEach
	void startWorker() {
		startWorker(TestProperties.handDriven("result-batch-size", "5", "shutdown-grace-period", "200ms"));
	}

	@AfterEach
	void stopWorker() throws InterruptedException {
		stop(this.worker);
	}

	@Test
	void runsAJobToCompletionStoringEveryResultOnce() {
		JobSpec spec = JobSpec.of(IntStream.range(0, 12)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url("/ok/complete/" + i))
				.withExtract(Map.of("temperature", "$.tmp")))
			.toList(), FetchPolicy.DEFAULT.withConcurrency(4));
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		Job done = awaitStatus(job, JobStatus.COMPLETED);
		assertThat(done.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(12);
		assertThat(done.progress().pending()).isZero();
		assertThat(done.attempt()).isEqualTo(1);
		assertThat(lastLeaseOwner(job)).isEqualTo("node-a");
		List<JobResult> results = this.service.results("alice", job.id(), ResultQuery.all()).block(TIMEOUT).items();
		assertThat(results).hasSize(12).allSatisfy((result) -> {
			assertThat(result.outcome()).isEqualTo(OutcomeKind.SUCCEEDED);
			assertThat(result.httpStatus()).isEqualTo(200);
			assertThat(result.extracted()).containsEntry("temperature", 21);
			assertThat(this.upstream.hits("/ok/complete/" + result.index())).isEqualTo(1);
		});
		assertThat(fixture.database().queryForLong("SELECT COUNT(*) FROM job_results")).isEqualTo(12);
	}

	@Test
	void recordsTheQueueWaitHowTheJobEndedAndTheResultsWritten() throws InterruptedException {
		stop(this.worker);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		SchedulerProperties properties = TestProperties.handDriven("result-batch-size", "5", "shutdown-grace-period",
				"200ms");
		this.worker = new JobWorker(this.store, fixture.fetchClient(), properties, this.clock, MemoryBudget.UNLIMITED,
				QuotaProperties.defaults(), fixture.feed(), new JobTelemetry(registry), "node-m");
		JobSpec spec = JobSpec.of(IntStream.range(0, 7)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url("/ok/metered/" + i)))
			.toList(), FetchPolicy.DEFAULT.withConcurrency(3));
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		this.clock.advance(Duration.ofSeconds(5));
		this.worker.start();
		awaitStatus(job, JobStatus.COMPLETED);

		await().atMost(TIMEOUT).until(() -> registry.find("fanout.jobs.finished").counter() != null);
		assertThat(registry.get("fanout.jobs.queue.wait").timer().count()).isEqualTo(1);
		assertThat(registry.get("fanout.jobs.queue.wait").timer().max(TimeUnit.MILLISECONDS))
			.as("waited exactly as long as the clock moved before the claim").isEqualTo(5000);
		assertThat(registry.get("fanout.jobs.finished").tag("status", "COMPLETED").counter().count()).isEqualTo(1);
		assertThat(registry.get("fanout.jobs.duration").tag("status", "COMPLETED").timer().count()).isEqualTo(1);
		assertThat(registry.get("fanout.results.written").counter().count()).isEqualTo(7);
		assertThat(registry.get("fanout.results.write").timer().count()).as("batches of at most 5").isBetween(2L, 7L);
	}

	@Test
	void failedRequestsAreOutcomesAndTheJobStillCompletes() {
		JobSpec spec = JobSpec.of(List.of(FetchRequest.get(this.upstream.url("/ok/gather/0")),
				FetchRequest.get(this.upstream.url("/status/404/gather/1"))), FetchPolicy.DEFAULT);
		Job done = awaitStatus(this.service.submit("alice", spec).block(TIMEOUT), JobStatus.COMPLETED);
		assertThat(done.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(1);
		assertThat(done.progress().count(OutcomeKind.HTTP_ERROR)).isEqualTo(1);
		assertThat(done.error()).isNull();
	}

	@Test
	void failFastJobFailsOnTheFirstFailureAndCancelsTheRest() {
		List<FetchRequest> requests = List.of(FetchRequest.get(this.upstream.url("/status/500/fast/0")),
				FetchRequest.get(this.upstream.url("/ok/fast/1")), FetchRequest.get(this.upstream.url("/ok/fast/2")));
		JobSpec spec = JobSpec.of(requests,
				FetchPolicy.DEFAULT.withConcurrency(1).withFailFast(true).withRetry(RetryPolicy.NONE));
		Job failed = awaitStatus(this.service.submit("alice", spec).block(TIMEOUT), JobStatus.FAILED);
		assertThat(failed.error().kind()).isEqualTo(JobError.Kind.FAIL_FAST);
		assertThat(failed.progress().count(OutcomeKind.HTTP_ERROR)).isEqualTo(1);
		assertThat(failed.progress().count(OutcomeKind.CANCELLED)).isEqualTo(2);
		assertThat(failed.progress().pending()).isZero();
	}

	@Test
	void deadlineFailsTheJobAndCancelsWhatIsUnfinished() {
		int abortedBefore = this.upstream.aborted();
		List<FetchRequest> requests = List.of(FetchRequest.get(this.upstream.url("/ok/deadline/0")),
				FetchRequest.get(this.upstream.url("/never/deadline/1")),
				FetchRequest.get(this.upstream.url("/never/deadline/2")));
		JobSpec spec = JobSpec.of(requests, FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(5)))
			.withDeadline(Duration.ofSeconds(10));
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> this.upstream.hits("/never/deadline/2") == 1
				&& get(job).progress().count(OutcomeKind.SUCCEEDED) == 1);
		this.clock.advance(Duration.ofSeconds(11));
		this.worker.checkRunningJobs().block(TIMEOUT);
		Job failed = awaitStatus(job, JobStatus.FAILED);
		assertThat(failed.error().kind()).isEqualTo(JobError.Kind.DEADLINE_EXCEEDED);
		assertThat(failed.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(1);
		assertThat(failed.progress().count(OutcomeKind.CANCELLED)).isEqualTo(2);
		await().atMost(TIMEOUT).until(() -> this.upstream.aborted() == abortedBefore + 2);
	}

	@Test
	void resumedJobFetchesOnlyRequestsWithoutAResult() throws InterruptedException {
		List<FetchRequest> requests = IntStream.range(0, 5)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url("/ok/resume/" + i)))
			.toList();
		// A node that is not running here claims the job first, stores two results and dies. This
		// worker is stopped before the job is submitted, so it cannot claim the job first.
		stop(this.worker);
		Job job = this.service.submit("alice", JobSpec.of(requests, FetchPolicy.DEFAULT)).block(TIMEOUT);
		Instant now = this.clock.instant();
		ClaimedJob ghost = this.store.claim("ghost", 1, now, now.plusSeconds(30)).blockFirst(TIMEOUT);
		this.store.appendResults(ghost.fence(), List.of(succeeded(job, requests, 0, now), succeeded(job, requests, 3, now)))
			.block(TIMEOUT);
		this.clock.advance(Duration.ofSeconds(31));
		startWorker(TestProperties.handDriven());
		Job done = awaitStatus(job, JobStatus.COMPLETED);
		assertThat(done.attempt()).isEqualTo(2);
		assertThat(done.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(5);
		assertThat(this.upstream.hits("/ok/resume/0")).isZero();
		assertThat(this.upstream.hits("/ok/resume/3")).isZero();
		assertThat(List.of(1, 2, 4)).allSatisfy((i) -> assertThat(this.upstream.hits("/ok/resume/" + i)).isEqualTo(1));
	}

	@Test
	void runWhoseLeaseWasTakenOverStopsAndWritesNothing() throws InterruptedException {
		// One job at a time: while its run goes on, this node cannot claim the job back once it is
		// requeued below, so "node-b" is sure to be the one that takes it over.
		stop(this.worker);
		startWorker(TestProperties.handDriven("max-concurrent-jobs", "1", "shutdown-grace-period", "200ms"));
		int abortedBefore = this.upstream.aborted();
		JobSpec spec = JobSpec.of(List.of(FetchRequest.get(this.upstream.url("/never/taken/0")),
				FetchRequest.get(this.upstream.url("/never/taken/1"))), FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(5)));
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> this.upstream.hits("/never/taken/1") == 1);
		// Seen from another node, later: the lease has expired; it requeues the job and takes it over.
		Instant later = this.clock.instant().plusSeconds(31);
		assertThat(this.store.requeueExpired(later).block(TIMEOUT)).isEqualTo(1);
		assertThat(this.store.claim("node-b", 1, later, later.plusSeconds(30)).collectList().block(TIMEOUT)).hasSize(1);
		// This node's next renewal finds the lease gone and stops its copy.
		this.clock.advance(Duration.ofSeconds(11));
		this.worker.checkRunningJobs().block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> this.worker.runningJobs() == 0);
		await().atMost(TIMEOUT).until(() -> this.upstream.aborted() == abortedBefore + 2);
		Job after = get(job);
		assertThat(after.status()).isEqualTo(JobStatus.RUNNING);
		assertThat(this.store.lease(job.id()).block(TIMEOUT).owner()).isEqualTo("node-b");
		assertThat(after.attempt()).isEqualTo(2);
		assertThat(after.progress().done()).isZero();
	}

	@Test
	void shutdownReleasesRunningJobsToTheQueue() throws InterruptedException {
		int abortedBefore = this.upstream.aborted();
		JobSpec spec = JobSpec.of(List.of(FetchRequest.get(this.upstream.url("/ok/shutdown/0")),
				FetchRequest.get(this.upstream.url("/never/shutdown/1"))), FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(5)));
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> this.upstream.hits("/never/shutdown/1") == 1
				&& get(job).progress().done() == 1);
		stop(this.worker);
		Job released = get(job);
		assertThat(released.status()).isEqualTo(JobStatus.QUEUED);
		StepVerifier.create(this.store.lease(job.id())).expectComplete().verify(TIMEOUT);
		assertThat(lastLeaseOwner(job)).isNull();
		assertThat(released.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(1);
		await().atMost(TIMEOUT).until(() -> this.upstream.aborted() == abortedBefore + 1);
	}

	@Test
	void retentionPurgesJobsFinishedLongerAgoThanItKeepsThem() {
		JobSpec spec = JobSpec.of(List.of(FetchRequest.get(this.upstream.url("/ok/retention/0"))), FetchPolicy.DEFAULT);
		Job old = awaitStatus(this.service.submit("alice", spec).block(TIMEOUT), JobStatus.COMPLETED);
		this.clock.advance(Duration.ofDays(6));
		Job recent = awaitStatus(this.service.submit("alice", spec).block(TIMEOUT), JobStatus.COMPLETED);
		Job queued = this.service.submit("alice", spec.withPriority(-1)).block(TIMEOUT);
		this.service.cancel("alice", queued.id()).onErrorComplete().block(TIMEOUT);
		this.clock.advance(Duration.ofDays(1).plusSeconds(1));
		StepVerifier.create(this.worker.purgeExpired()).expectNext(1).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.service.get("alice", old.id())).expectError().verify(TIMEOUT);
		assertThat(get(recent).status()).isEqualTo(JobStatus.COMPLETED);
		assertThat(fixture.database().queryForLong("SELECT COUNT(*) FROM job_results WHERE job_id = '" + old.id() + "'"))
			.isZero();
	}

	@Test
	void bodiesLargerThanTheStoredBodyLimitAreNotStoredThoughTheirSizeIs() throws InterruptedException {
		stop(this.worker);
		startWorker(TestProperties.handDriven("max-stored-body-size", "100B"));
		List<FetchRequest> requests = List.of(FetchRequest.get(this.upstream.url("/ok/small")),
				FetchRequest.get(this.upstream.url("/html")).withExtract(Map.of("title", "title")));
		Job job = this.service.submit("alice", JobSpec.of(requests, FetchPolicy.DEFAULT)).block(TIMEOUT);
		awaitStatus(job, JobStatus.COMPLETED);

		List<JobResult> results = this.service.results("alice", job.id(), ResultQuery.all().withBodies(true))
			.block(TIMEOUT)
			.items();
		assertThat(results.get(0).body()).contains("/ok/small");
		assertThat(results.get(1).outcome()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(results.get(1).body()).isNull();
		assertThat(results.get(1).bodySize()).isGreaterThan(100);
		// Extraction read the whole body all the same.
		assertThat(results.get(1).extracted()).containsEntry("title", "Fanout");
	}

	@Test
	void resultsWaitingForTheDatabaseCountInTheMemoryBudgetUntilWritten() throws InterruptedException {
		MemoryBudget budget = new MemoryBudget(10 * 1024 * 1024);
		Sinks.Empty<Void> databaseBack = Sinks.empty();
		JobQueue slowToWrite = new DelayedWrites(this.store, databaseBack.asMono());
		SchedulerProperties properties = TestProperties.handDriven("result-batch-size", "2");
		JobWorker worker = new JobWorker(slowToWrite, fixture.fetchClient(), properties, this.clock, budget, "node-m");
		stop(this.worker);
		this.worker = worker;
		this.service = fixture.jobService(properties, worker::wakeUp);
		worker.start();
		List<FetchRequest> requests = IntStream.range(0, 6)
			.mapToObj((i) -> FetchRequest.get(this.upstream.url("/html?memory=" + i)))
			.toList();
		Job job = this.service.submit("alice", JobSpec.of(requests, FetchPolicy.DEFAULT)).block(TIMEOUT);

		await().atMost(TIMEOUT).until(() -> IntStream.range(0, 6).allMatch((i) -> this.upstream.hits("/html?memory=" + i) == 1));
		// Every body fetched is held somewhere until its batch is written: in the fetch client's
		// hands while it waits for demand, in the worker's once delivered.
		await().atMost(TIMEOUT).until(() -> budget.held() > 0);
		databaseBack.tryEmitEmpty();
		awaitStatus(job, JobStatus.COMPLETED);
		await().atMost(TIMEOUT).until(() -> budget.held() == 0);
		assertThat(get(job).progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(6);
	}

	/**
	 * Starts a worker whose loops only run at start: the test moves the clock and calls the worker's
	 * hooks itself. Submissions still wake it up, as they do in production.
	 */
	private void startWorker(SchedulerProperties properties) {
		this.worker = fixture.worker(properties, "node-a");
		this.service = fixture.jobService(properties, this.worker::wakeUp);
		this.worker.start();
	}

	private static void stop(JobWorker worker) throws InterruptedException {
		CountDownLatch stopped = new CountDownLatch(1);
		worker.stop(stopped::countDown);
		assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
	}

	/** Who held the job last, leased or not. */
	private String lastLeaseOwner(Job job) {
		return fixture.database()
			.queryForStrings("SELECT lease_owner FROM jobs WHERE id = '" + job.id() + "'")
			.get(0);
	}

	private Job get(Job job) {
		return this.service.get(job.owner(), job.id()).block(TIMEOUT);
	}

	private Job awaitStatus(Job job, JobStatus status) {
		await().atMost(TIMEOUT).until(() -> get(job).status() == status);
		return get(job);
	}

	private static JobResult succeeded(Job job, List<FetchRequest> requests, int index, Instant at) {
		return JobResult.of(job.id(), requests.get(index), new FetchOutcome(index, OutcomeKind.SUCCEEDED, 200, 1, at,
				Duration.ofMillis(1), "{}", 2, Map.of(), null));
	}

	/** A queue whose result writes wait until the database is "back". */
	private static final class DelayedWrites implements JobQueue {

		private final JobQueue queue;

		private final Mono<Void> back;

		DelayedWrites(JobQueue queue, Mono<Void> back) {
			this.queue = queue;
			this.back = back;
		}

		@Override
		public Mono<Void> appendResults(Fence fence, List<JobResult> results) {
			return this.back.then(this.queue.appendResults(fence, results));
		}

		@Override
		public Mono<Integer> requeueExpired(Instant now) {
			return this.queue.requeueExpired(now);
		}

		@Override
		public Flux<ClaimedJob> claim(String node, int max, Instant now, Instant leaseUntil) {
			return this.queue.claim(node, max, now, leaseUntil);
		}

		@Override
		public Mono<Boolean> renew(Fence fence, Instant leaseUntil) {
			return this.queue.renew(fence, leaseUntil);
		}

		@Override
		public Flux<UUID> findCancelRequested(String node) {
			return this.queue.findCancelRequested(node);
		}

		@Override
		public Mono<BitSet> resultedIndexes(UUID jobId) {
			return this.queue.resultedIndexes(jobId);
		}

		@Override
		public Mono<Void> finish(Fence fence, JobStatus to, JobError error, List<FetchRequest> requests, Instant now,
				String why) {
			return this.queue.finish(fence, to, error, requests, now, why);
		}

		@Override
		public Mono<Boolean> release(Fence fence) {
			return this.queue.release(fence);
		}

		@Override
		public Mono<Integer> purgeFinishedBefore(Instant cutoff, int batchSize) {
			return this.queue.purgeFinishedBefore(cutoff, batchSize);
		}

		@Override
		public Mono<Lease> lease(UUID jobId) {
			return this.queue.lease(jobId);
		}

	}

}
