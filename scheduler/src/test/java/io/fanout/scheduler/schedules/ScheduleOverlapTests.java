package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.scheduler.worker.JobWorker;
import io.fanout.test.SettableClock;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each overlap policy with a real worker running the jobs against a slow local upstream (a request
 * that answers only when the test lets it, or never). The clock is moved and the ticker ticked by
 * hand; only the jobs themselves take real (short) time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleOverlapTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** Shorter than the lease (30 s): moving the clock by one fire does not take jobs from their worker. */
	private static final Duration RATE = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final SettableClock clock = fixture.clock();

	private JobRepository jobStore;

	private TestUpstream upstream;

	private JobWorker worker;

	private DefaultScheduleService schedules;

	private ScheduleTicker ticker;

	@BeforeEach
	void startWorkerAndTicker() {
		this.jobStore = fixture.jobs();
		this.upstream = fixture.upstream();
		SchedulerProperties properties = TestProperties.fast("shutdown-grace-period", "200ms");
		this.worker = fixture.worker(properties, "node-a");
		this.schedules = fixture.scheduleService(properties, this.worker::wakeUp);
		this.ticker = fixture.ticker(properties, this.worker::wakeUp);
		this.worker.start();
	}

	@AfterEach
	void stopWorker() throws InterruptedException {
		CountDownLatch stopped = new CountDownLatch(1);
		this.worker.stop(stopped::countDown);
		assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void skipLaunchesNothingWhileThePreviousJobRunsAndCountsTheSkip() {
		String gate = "skip-" + UUID.randomUUID();
		Schedule schedule = create(OverlapPolicy.SKIP, "/gate/" + gate + "/0");

		Job first = fireAndAwaitRunning(schedule);
		assertThat(tickAt(2)).isZero();
		assertThat(get(schedule).skippedCount()).isEqualTo(1);
		assertThat(jobs(schedule)).extracting(Job::id).containsExactly(first.id());

		this.upstream.open(gate);
		awaitStatus(first, JobStatus.COMPLETED);
		assertThat(tickAt(3)).isOne();
		assertThat(jobs(schedule)).hasSize(2);
		Schedule after = get(schedule);
		assertThat(after.skippedCount()).isEqualTo(1);
		assertThat(after.missedCount()).isZero();
	}

	@Test
	void allowRunsTheNewJobAlongsideThePreviousOne() {
		String gate = "allow-" + UUID.randomUUID();
		Schedule schedule = create(OverlapPolicy.ALLOW, "/gate/" + gate + "/0");

		Job first = fireAndAwaitRunning(schedule);
		assertThat(tickAt(2)).isOne();
		Job second = jobs(schedule).get(0);
		await().atMost(TIMEOUT).until(() -> this.upstream.hits("/gate/" + gate + "/0") == 2);
		assertThat(get(first).status()).isEqualTo(JobStatus.RUNNING);
		assertThat(get(second).status()).isEqualTo(JobStatus.RUNNING);

		this.upstream.open(gate);
		awaitStatus(first, JobStatus.COMPLETED);
		awaitStatus(second, JobStatus.COMPLETED);
		assertThat(get(schedule).skippedCount()).isZero();
	}

	@Test
	void cancelPreviousAbortsThePreviousJobAndRunsTheNewOne() {
		String path = "/never/cancel-previous-" + UUID.randomUUID();
		Schedule schedule = create(OverlapPolicy.CANCEL_PREVIOUS, path);
		int abortedBefore = this.upstream.aborted();

		Job first = fireAndAwaitRunning(schedule);
		assertThat(tickAt(2)).isOne();

		Job cancelled = awaitStatus(first, JobStatus.CANCELLED);
		assertThat(cancelled.progress().count(OutcomeKind.CANCELLED)).isEqualTo(1);
		await().atMost(TIMEOUT).until(() -> this.upstream.aborted() > abortedBefore);
		Job second = jobs(schedule).get(0);
		assertThat(second.id()).isNotEqualTo(first.id());
		await().atMost(TIMEOUT).until(() -> this.upstream.hits(path) == 2);
		assertThat(get(second).status()).isEqualTo(JobStatus.RUNNING);
		Schedule after = get(schedule);
		assertThat(after.lastJobId()).isEqualTo(second.id());
		assertThat(after.lastJobStatus()).isEqualTo(JobStatus.RUNNING);
		this.jobStore.requestCancel("alice", second.id()).block(TIMEOUT);
		awaitStatus(second, JobStatus.CANCELLED);
	}

	/** A schedule every 10 s from 2030-01-01T00:00, of one request to the upstream's {@code path}. */
	private Schedule create(OverlapPolicy overlap, String path) {
		this.clock.set(SettableClock.startingAt2030().instant());
		JobSpec template = JobSpec.of(List.of(FetchRequest.get(this.upstream.url(path))),
				FetchPolicy.DEFAULT.withTimeout(Duration.ofMinutes(5)));
		return this.schedules.create("alice", ScheduleSpec.of("overlap-" + overlap, ScheduleTrigger.fixedRate(RATE),
				template).withOverlap(overlap)).block(TIMEOUT);
	}

	/** Fires the schedule's first time and waits for its job to reach the upstream. */
	private Job fireAndAwaitRunning(Schedule schedule) {
		int hits = this.upstream.requests();
		assertThat(tickAt(1)).isOne();
		Job first = jobs(schedule).get(0);
		await().atMost(TIMEOUT).until(() -> this.upstream.requests() > hits);
		assertThat(get(first).status()).isEqualTo(JobStatus.RUNNING);
		return first;
	}

	/** Moves the clock to the schedule's {@code n}-th fire time and ticks. */
	private int tickAt(int n) {
		this.clock.set(SettableClock.startingAt2030().instant().plus(RATE.multipliedBy(n)));
		return this.ticker.tick().block(TIMEOUT);
	}

	private Schedule get(Schedule schedule) {
		return this.schedules.get("alice", schedule.id()).block(TIMEOUT);
	}

	private Job get(Job job) {
		return this.jobStore.find(job.owner(), job.id()).block(TIMEOUT);
	}

	private Job awaitStatus(Job job, JobStatus status) {
		await().atMost(TIMEOUT).until(() -> get(job).status() == status);
		return get(job);
	}

	/** The schedule's jobs, newest first. */
	private List<Job> jobs(Schedule schedule) {
		return this.jobStore.list("alice", JobQuery.all().withScheduleId(schedule.id())).block(TIMEOUT).items();
	}

}
