package io.fanout.scheduler.jobs;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.SettableClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job service on a real (embedded) store. Running jobs are driven through the job queue
 * directly, as a worker would, so that every step is under the test's control.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultJobServiceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final AtomicInteger wakeUps = new AtomicInteger();

	private SettableClock clock;

	private JobQueue queue;

	private DefaultJobService service;

	@BeforeAll
	void createService() {
		this.clock = fixture.clock();
		this.queue = fixture.queue();
		this.service = fixture.jobService(
				TestProperties.fast("max-queued-jobs", "3", "max-requests-per-job", "5", "queue-full-retry-after", "7s"),
				this.wakeUps::incrementAndGet);
	}

	@Test
	void submitQueuesTheJobAndWakesTheLocalWorker() {
		int before = this.wakeUps.get();
		StepVerifier.create(this.service.submit("alice", spec(2))).assertNext((job) -> {
			assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
			assertThat(job.owner()).isEqualTo("alice");
			assertThat(job.id().version()).isEqualTo(7);
			assertThat(job.createdAt()).isEqualTo(this.clock.instant());
			assertThat(job.progress().total()).isEqualTo(2);
		}).expectComplete().verify(TIMEOUT);
		assertThat(this.wakeUps.get()).isEqualTo(before + 1);
	}

	@Test
	void sameKeyAndSameSpecReturnsTheExistingJob() {
		Job first = this.service.submit("alice", spec(2), "order-42").block(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(2), "order-42"))
			.assertNext((again) -> assertThat(again.id()).isEqualTo(first.id()))
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(this.service.list("alice", JobQuery.all()).block(TIMEOUT).items()).hasSize(1);
	}

	@Test
	void sameKeyWithAnotherSpecIsRefused() {
		Job first = this.service.submit("alice", spec(2), "order-42").block(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(2).withPriority(3), "order-42"))
			.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(IdempotencyConflictException.class);
				assertThat(((IdempotencyConflictException) ex).jobId()).isEqualTo(first.id());
				assertThat(((IdempotencyConflictException) ex).idempotencyKey()).isEqualTo("order-42");
			})
			.verify(TIMEOUT);
	}

	@Test
	void fullQueueRefusesNewJobsWithARetryHintButNotRetries() {
		Job first = this.service.submit("alice", spec(1), "k").block(TIMEOUT);
		this.service.submit("bob", spec(1)).block(TIMEOUT);
		this.service.submit("carol", spec(1)).block(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(1))).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(QueueFullException.class);
			assertThat(((QueueFullException) ex).retryAfter()).isEqualTo(Duration.ofSeconds(7));
			assertThat(((QueueFullException) ex).maxQueuedJobs()).isEqualTo(3);
		}).verify(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(1), "k"))
			.assertNext((again) -> assertThat(again.id()).isEqualTo(first.id()))
			.expectComplete()
			.verify(TIMEOUT);
		// Claimed jobs no longer wait in the queue: room again.
		this.queue.claim("node-a", 1, this.clock.instant(), this.clock.instant().plusSeconds(30)).blockLast(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(1))).expectNextCount(1).expectComplete().verify(TIMEOUT);
	}

	@Test
	void moreRequestsThanAllowedAreRefusedOnTheRequestsField() {
		StepVerifier.create(this.service.submit("alice", spec(6)))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(InvalidJobSpecException.class)
				.extracting((e) -> ((InvalidJobSpecException) e).field())
				.isEqualTo("requests"))
			.verify(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(1), "bad\nkey"))
			.expectErrorSatisfies((ex) -> assertThat(((InvalidJobSpecException) ex).field()).isEqualTo("idempotencyKey"))
			.verify(TIMEOUT);
	}

	@Test
	void anotherOwnersJobIsNotFound() {
		Job job = this.service.submit("alice", spec(1)).block(TIMEOUT);
		UUID id = job.id();
		StepVerifier.create(this.service.get("mallory", id)).expectError(JobNotFoundException.class).verify(TIMEOUT);
		StepVerifier.create(this.service.getSpec("mallory", id)).expectError(JobNotFoundException.class).verify(TIMEOUT);
		StepVerifier.create(this.service.cancel("mallory", id)).expectError(JobNotFoundException.class).verify(TIMEOUT);
		StepVerifier.create(this.service.delete("mallory", id)).expectError(JobNotFoundException.class).verify(TIMEOUT);
		StepVerifier.create(this.service.results("mallory", id, ResultQuery.all()))
			.expectError(JobNotFoundException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.streamResults("mallory", id)).expectError(JobNotFoundException.class).verify(TIMEOUT);
		assertThat(this.service.list("mallory", JobQuery.all()).block(TIMEOUT).items()).isEmpty();
		assertThat(this.service.get("alice", id).block(TIMEOUT)).isEqualTo(job);
	}

	@Test
	void listsTheOwnersJobsNewestFirst() {
		Job first = this.service.submit("alice", spec(1)).block(TIMEOUT);
		this.clock.advance(Duration.ofMillis(1));
		Job second = this.service.submit("alice", spec(1)).block(TIMEOUT);
		Job third = this.service.submit("alice", spec(1)).block(TIMEOUT);
		assertThat(this.service.list("alice", JobQuery.all()).block(TIMEOUT).items()).extracting(Job::id)
			.containsExactly(third.id(), second.id(), first.id());
	}

	@Test
	void cancellingAQueuedJobCancelsItAtOnce() {
		Job job = this.service.submit("alice", spec(3)).block(TIMEOUT);
		StepVerifier.create(this.service.cancel("alice", job.id())).assertNext((cancelled) -> {
			assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
			assertThat(cancelled.progress().count(OutcomeKind.CANCELLED)).isEqualTo(3);
			assertThat(cancelled.finishedAt()).isEqualTo(this.clock.instant());
		}).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.service.results("alice", job.id(), ResultQuery.all()))
			.assertNext((page) -> assertThat(page.items()).extracting(JobResult::outcome)
				.containsOnly(OutcomeKind.CANCELLED)
				.hasSize(3))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void cancellingARunningJobFlagsItForItsWorker() {
		Job job = this.service.submit("alice", spec(3)).block(TIMEOUT);
		claim();
		StepVerifier.create(this.service.cancel("alice", job.id())).assertNext((flagged) -> {
			assertThat(flagged.status()).isEqualTo(JobStatus.RUNNING);
			assertThat(flagged.cancelRequested()).isTrue();
		}).expectComplete().verify(TIMEOUT);
		// Asking again while the worker gets to it is not an error.
		StepVerifier.create(this.service.cancel("alice", job.id())).expectNextCount(1).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.findCancelRequested("node-a")).expectNext(job.id()).expectComplete().verify(TIMEOUT);
	}

	@Test
	void cancellingAFinishedJobIsRefused() {
		Job job = this.service.submit("alice", spec(1)).block(TIMEOUT);
		ClaimedJob claimed = claim();
		finish(claimed, JobStatus.COMPLETED);
		StepVerifier.create(this.service.cancel("alice", job.id())).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(IllegalJobStateException.class);
			assertThat(((IllegalJobStateException) ex).status()).isEqualTo(JobStatus.COMPLETED);
			assertThat(((IllegalJobStateException) ex).jobId()).isEqualTo(job.id());
		}).verify(TIMEOUT);
	}

	@Test
	void onlyAFinishedJobCanBeDeleted() {
		Job job = this.service.submit("alice", spec(1)).block(TIMEOUT);
		StepVerifier.create(this.service.delete("alice", job.id()))
			.expectErrorSatisfies((ex) -> assertThat(((IllegalJobStateException) ex).status()).isEqualTo(JobStatus.QUEUED))
			.verify(TIMEOUT);
		ClaimedJob claimed = claim();
		StepVerifier.create(this.service.delete("alice", job.id()))
			.expectErrorSatisfies((ex) -> assertThat(((IllegalJobStateException) ex).status()).isEqualTo(JobStatus.RUNNING))
			.verify(TIMEOUT);
		finish(claimed, JobStatus.COMPLETED);
		StepVerifier.create(this.service.delete("alice", job.id())).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.service.get("alice", job.id())).expectError(JobNotFoundException.class).verify(TIMEOUT);
	}

	@Test
	void liveStreamDeliversStoredResultsThenNewOnesAndEndsWithTheJob() {
		JobSpec spec = spec(5);
		Job job = this.service.submit("alice", spec).block(TIMEOUT);
		ClaimedJob claimed = claim();
		append(claimed, 3, 1);
		StepVerifier.create(this.service.streamResults("alice", job.id()).map(JobResult::index))
			.expectNext(3, 1)
			.then(() -> append(claimed, 0))
			.expectNext(0)
			.then(() -> append(claimed, 4))
			.expectNext(4)
			// The job ends cancelled: the request without a result is cancelled, and the stream ends.
			.then(() -> finish(claimed, JobStatus.CANCELLED))
			.expectNext(2)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void streamOfAFinishedJobReplaysItsResultsAndEnds() {
		Job job = this.service.submit("alice", spec(4)).block(TIMEOUT);
		ClaimedJob claimed = claim();
		append(claimed, 2);
		finish(claimed, JobStatus.FAILED);
		StepVerifier.create(this.service.streamResults("alice", job.id()).map(JobResult::index))
			.expectNext(2, 0, 1, 3)
			.expectComplete()
			.verify(TIMEOUT);
	}

	private ClaimedJob claim() {
		Instant now = this.clock.instant();
		return this.queue.claim("node-a", 1, now, now.plusSeconds(30)).blockFirst(TIMEOUT);
	}

	private void append(ClaimedJob claimed, int... indexes) {
		List<JobResult> results = IntStream.of(indexes)
			.mapToObj((i) -> new JobResult(claimed.job().id(), i, "GET", URI.create("http://127.0.0.1:1/r/" + i),
					OutcomeKind.SUCCEEDED, 200, 1, this.clock.instant(), Duration.ofMillis(3), "ok", 2, Map.of(),
					null))
			.toList();
		this.queue.appendResults(claimed.fence(), results).block(TIMEOUT);
	}

	private void finish(ClaimedJob claimed, JobStatus status) {
		JobError error = (status == JobStatus.FAILED) ? new JobError(JobError.Kind.INTERNAL, "test") : null;
		this.queue.finish(claimed.fence(), status, error, claimed.spec().requests(), this.clock.instant(), "test")
			.block(TIMEOUT);
	}

	private static JobSpec spec(int requests) {
		return JobSpec.of(IntStream.range(0, requests)
			.mapToObj((i) -> FetchRequest.get("http://127.0.0.1:1/r/" + i))
			.toList(), FetchPolicy.DEFAULT);
	}

}
