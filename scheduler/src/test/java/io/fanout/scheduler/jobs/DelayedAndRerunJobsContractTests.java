package io.fanout.scheduler.jobs;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.PolicyOverrides;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.NothingToRerunException;
import io.fanout.scheduler.QuotaExceededException;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.RerunDraft;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.ResultStreamQuery;
import io.fanout.scheduler.StreamedResult;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.SettableClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Delayed jobs ({@code notBefore}) and reruns, through the job service and the queue as a worker
 * claims, on each supported database by a subclass. The clock is the fixture's settable one: the
 * claim compares {@code notBefore} with the time it is given, never the database's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DelayedAndRerunJobsContractTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	final SchedulerFixture fixture = createFixture();

	SettableClock clock;

	R2dbcJobQueue queue;

	DefaultJobService service;

	abstract SchedulerFixture createFixture();

	@BeforeAll
	void createService() {
		this.clock = this.fixture.clock();
		this.queue = this.fixture.queue();
		SchedulerProperties properties = TestProperties.fast("max-delay", "1h", "max-requests-per-job", "10");
		this.service = new DefaultJobService(this.fixture.jobs(), this.fixture.jobSpecs(properties),
				new QueueLimit(this.fixture.jobs(), 100, Duration.ofSeconds(1),
						new QuotaProperties(new QuotaProperties.Quota(3, 50, 1000, 100, DataSize.ofGigabytes(1), 1),
								Map.of(), Duration.ofSeconds(5), 50, Duration.ofSeconds(10))),
				properties, this.fixture.feed(), this.clock, () -> {
				});
	}

	// Delayed jobs

	@Test
	void delayedJobIsQueuedButNotClaimedBeforeItsTime() {
		Instant at = this.clock.instant().plusSeconds(60);
		Job job = this.service.submit("alice", spec(1), null, null, at).block(TIMEOUT);
		assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(job.notBefore()).isEqualTo(at);
		assertThat(this.service.get("alice", job.id()).block(TIMEOUT).notBefore()).isEqualTo(at);
		assertThat(claim(this.clock.instant())).isEmpty();
		assertThat(claim(at.minusMillis(1))).isEmpty();
		assertThat(claim(at)).extracting((claimed) -> claimed.job().id()).containsExactly(job.id());
	}

	@Test
	void aTimeAlreadyPastMeansAtOnceAndTooFarAheadIsRefused() {
		Instant past = this.clock.instant().minusSeconds(3600);
		Job job = this.service.submit("alice", spec(1), null, null, past).block(TIMEOUT);
		assertThat(claim(this.clock.instant())).extracting((claimed) -> claimed.job().id()).containsExactly(job.id());
		StepVerifier.create(this.service.submit("alice", spec(1), null, null, this.clock.instant().plusSeconds(3601)))
			.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(InvalidJobSpecException.class);
				assertThat(((InvalidJobSpecException) ex).field()).isEqualTo("notBefore");
			})
			.verify(TIMEOUT);
	}

	@Test
	void priorityOrdersTheJobsThatAreDue() {
		Instant at = this.clock.instant().plusSeconds(60);
		Job delayedUrgent = this.service.submit("alice", spec(1).withPriority(10), null, null, at).block(TIMEOUT);
		Job low = this.service.submit("alice", spec(1).withPriority(-5), null, null, null).block(TIMEOUT);
		this.clock.advance(Duration.ofSeconds(1));
		Job high = this.service.submit("alice", spec(1).withPriority(5), null, null, null).block(TIMEOUT);
		assertThat(claimOne(this.clock.instant())).isEqualTo(high.id());
		assertThat(claimOne(at)).isEqualTo(delayedUrgent.id());
		assertThat(claimOne(at)).isEqualTo(low.id());
	}

	@Test
	void aTenantWithOnlyDelayedJobsTakesNoSlotFromOthers() {
		Instant at = this.clock.instant().plusSeconds(60);
		this.service.submit("alice", spec(1), null, null, at).block(TIMEOUT);
		this.clock.advance(Duration.ofSeconds(1));
		Job bobs = this.service.submit("bob", spec(1)).block(TIMEOUT);
		assertThat(claimOne(this.clock.instant())).isEqualTo(bobs.id());
	}

	@Test
	void delayedJobsCountAsQueuedForTheQuotaAndCanBeCancelled() {
		Instant at = this.clock.instant().plusSeconds(60);
		Job first = this.service.submit("alice", spec(1), null, null, at).block(TIMEOUT);
		this.service.submit("alice", spec(1), null, null, at).block(TIMEOUT);
		this.service.submit("alice", spec(1), null, null, at).block(TIMEOUT);
		StepVerifier.create(this.service.submit("alice", spec(1), null, null, at))
			.expectError(QuotaExceededException.class)
			.verify(TIMEOUT);
		Job cancelled = this.service.cancel("alice", first.id()).block(TIMEOUT);
		assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
		assertThat(claim(at)).extracting((claimed) -> claimed.job().id()).doesNotContain(first.id());
	}

	@Test
	void theSameKeyWithAnotherStartTimeIsAnotherSubmission() {
		Instant at = this.clock.instant().plusSeconds(60);
		Job first = this.service.submit("alice", spec(1), "k-1", null, at).block(TIMEOUT);
		assertThat(this.service.submit("alice", spec(1), "k-1", null, at).block(TIMEOUT).id()).isEqualTo(first.id());
		StepVerifier.create(this.service.submit("alice", spec(1), "k-1", null, at.plusSeconds(1)))
			.expectError(IdempotencyConflictException.class)
			.verify(TIMEOUT);
	}

	// Reruns

	@Test
	void rerunRunsAgainWhatDidNotSucceedWithItsHeadersAndTheOriginalsIndexes() {
		Job original = finished(JobStatus.COMPLETED, OutcomeKind.SUCCEEDED, OutcomeKind.TIMED_OUT,
				OutcomeKind.SUCCEEDED, OutcomeKind.HTTP_ERROR);
		Job rerun = this.service.rerun("alice", original.id(), RerunDraft.FAILED, null).block(TIMEOUT);
		assertThat(rerun.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(rerun.rerunOf()).isEqualTo(original.id());
		assertThat(rerun.progress().total()).isEqualTo(2);
		assertThat(rerun.name()).isEqualTo("original");
		JobSpec spec = this.service.getSpec("alice", rerun.id()).block(TIMEOUT);
		JobSpec originalSpec = this.service.getSpec("alice", original.id()).block(TIMEOUT);
		assertThat(spec.requests()).containsExactly(originalSpec.requests().get(1), originalSpec.requests().get(3));
		assertThat(spec.requests().get(0).headers()).containsEntry("Authorization", "Bearer secret-1");
		assertThat(spec.policy()).isEqualTo(originalSpec.policy());
		assertThat(this.service.reruns("alice", original.id()).block(TIMEOUT)).containsExactly(rerun.id());
		// Its results carry the index of their request in the original.
		ClaimedJob claimed = this.queue.claim("node-a", 1, this.clock.instant(), this.clock.instant().plusSeconds(30))
			.blockFirst(TIMEOUT);
		assertThat(claimed.job().id()).isEqualTo(rerun.id());
		this.queue.appendResults(claimed.fence(), List.of(result(rerun.id(), 0, OutcomeKind.SUCCEEDED),
				result(rerun.id(), 1, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		assertThat(this.service.results("alice", rerun.id(), ResultQuery.all()).block(TIMEOUT).items())
			.extracting(JobResult::index, JobResult::sourceIndex)
			.containsExactly(tuple(0, 1), tuple(1, 3));
		StepVerifier.create(this.service.streamResults("alice", rerun.id(), new ResultStreamQuery(0, false))
			.take(2)
			.map(StreamedResult::result)
			.map(JobResult::sourceIndex)).expectNext(1, 3).expectComplete().verify(TIMEOUT);
		assertThat(this.service.results("alice", original.id(), ResultQuery.all()).block(TIMEOUT).items())
			.extracting(JobResult::sourceIndex)
			.containsOnlyNulls();
	}

	@Test
	void aLargeRerunsResultsCarryTheirSourceIndexesAcrossChunksAndAsStoredBeforeChunks() {
		SchedulerProperties properties = TestProperties.fast("max-requests-per-job", "6000");
		DefaultJobService service = new DefaultJobService(this.fixture.jobs(), this.fixture.jobSpecs(properties),
				this.fixture.queueLimit(properties), properties, this.fixture.feed(), this.clock, () -> {
				});
		OutcomeKind[] outcomes = IntStream.range(0, 5_000)
			.mapToObj((i) -> (i % 2 == 0) ? OutcomeKind.SUCCEEDED : OutcomeKind.TIMED_OUT)
			.toArray(OutcomeKind[]::new);
		Job original = finished(service, JobStatus.COMPLETED, outcomes);
		// 2,500 requests, at 1, 3, 5... in the original: three chunks of source indexes.
		Job rerun = service.rerun("alice", original.id(), RerunDraft.FAILED, null).block(TIMEOUT);
		assertThat(this.fixture.database()
			.queryForLong("SELECT COUNT(*) FROM job_source_chunks WHERE job_id = '" + rerun.id() + "'")).isEqualTo(3);
		ClaimedJob claimed = this.queue.claim("node-a", 1, this.clock.instant(), this.clock.instant().plusSeconds(30))
			.blockFirst(TIMEOUT);
		this.queue.appendResults(claimed.fence(), IntStream.range(0, 2_500)
			.mapToObj((i) -> result(rerun.id(), i, OutcomeKind.SUCCEEDED))
			.toList()).block(TIMEOUT);
		ResultQuery acrossAChunk = new ResultQuery(Set.of(), 990, 30);
		assertThat(service.results("alice", rerun.id(), acrossAChunk).block(TIMEOUT).items()).hasSize(30)
			.allSatisfy(DelayedAndRerunJobsContractTests::rerunsTheOddIndexes);
		assertThat(service.streamResults("alice", rerun.id(), new ResultStreamQuery(0, false))
			.take(2_500)
			.map(StreamedResult::result)
			.collectList()
			.block(TIMEOUT)).allSatisfy(DelayedAndRerunJobsContractTests::rerunsTheOddIndexes);

		// As a rerun stored before V17 keeps them: one text value.
		this.fixture.database().execute("DELETE FROM job_source_chunks WHERE job_id = '" + rerun.id() + "'");
		this.fixture.database().execute("UPDATE job_specs SET source_indexes = '" + IntStream.range(0, 2_500)
			.mapToObj((i) -> Integer.toString(2 * i + 1))
			.collect(java.util.stream.Collectors.joining(",")) + "' WHERE job_id = '" + rerun.id() + "'");
		assertThat(service.results("alice", rerun.id(), acrossAChunk).block(TIMEOUT).items()).hasSize(30)
			.allSatisfy(DelayedAndRerunJobsContractTests::rerunsTheOddIndexes);
		assertThat(service.streamResults("alice", rerun.id(), new ResultStreamQuery(1_990, false))
			.take(20)
			.map(StreamedResult::result)
			.collectList()
			.block(TIMEOUT)).hasSize(20)
			.allSatisfy(DelayedAndRerunJobsContractTests::rerunsTheOddIndexes);
	}

	@Test
	void rerunTakesAnOutcomeFilterAndOverridesThatAreChecked() {
		Job original = finished(JobStatus.FAILED, OutcomeKind.SUCCEEDED, OutcomeKind.TIMED_OUT,
				OutcomeKind.CANCELLED);
		RerunDraft draft = new RerunDraft(Set.of(OutcomeKind.SUCCEEDED, OutcomeKind.CANCELLED),
				new PolicyOverrides(2, null, null, null, null, null, null, null, null), "again", Map.of("k", "v"), 7,
				null, this.clock.instant().plusSeconds(30));
		Job rerun = this.service.rerun("alice", original.id(), draft, null).block(TIMEOUT);
		assertThat(rerun.progress().total()).isEqualTo(2);
		assertThat(rerun.name()).isEqualTo("again");
		assertThat(rerun.labels()).containsExactly(Map.entry("k", "v"));
		assertThat(rerun.priority()).isEqualTo(7);
		assertThat(rerun.notBefore()).isEqualTo(this.clock.instant().plusSeconds(30));
		JobSpec spec = this.service.getSpec("alice", rerun.id()).block(TIMEOUT);
		assertThat(spec.policy().concurrency()).isEqualTo(2);
		assertThat(spec.policy().failFast()).isTrue();
		RerunDraft invalid = new RerunDraft(Set.of(), new PolicyOverrides(0, null, null, null, null, null, null, null,
				null), null, null, 5000, null, null);
		StepVerifier.create(this.service.rerun("alice", original.id(), invalid, null)).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(InvalidJobSpecException.class);
			assertThat(((InvalidJobSpecException) ex).violations()).extracting((v) -> v.field())
				.contains("concurrency", "priority");
		}).verify(TIMEOUT);
	}

	@Test
	void rerunIsRefusedForAJobNotFinishedAnotherTenantsOrOneWithNothingToRerun() {
		Job succeeded = finished(JobStatus.COMPLETED, OutcomeKind.SUCCEEDED, OutcomeKind.SUCCEEDED);
		// Finished before anything else waits: finished() claims the one queued job.
		Job blocked = finished(JobStatus.COMPLETED, OutcomeKind.BLOCKED);
		Job queued = this.service.submit("alice", spec(1)).block(TIMEOUT);
		StepVerifier.create(this.service.rerun("alice", queued.id(), RerunDraft.FAILED, null))
			.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(IllegalJobStateException.class);
				assertThat(((IllegalJobStateException) ex).status()).isEqualTo(JobStatus.QUEUED);
			})
			.verify(TIMEOUT);
		StepVerifier.create(this.service.rerun("alice", succeeded.id(), RerunDraft.FAILED, null))
			.expectError(NothingToRerunException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.rerun("mallory", succeeded.id(), RerunDraft.FAILED, null))
			.expectError(JobNotFoundException.class)
			.verify(TIMEOUT);
		this.service.rerun("alice", blocked.id(), RerunDraft.FAILED, null).block(TIMEOUT);
		assertThat(this.service.reruns("alice", blocked.id()).block(TIMEOUT)).hasSize(1);
		assertThat(this.service.reruns("mallory", blocked.id()).block(TIMEOUT)).isEmpty();
	}

	@Test
	void rerunWithAnIdempotencyKeyIsCreatedOnceAndListedNewestFirst() {
		Job original = finished(JobStatus.COMPLETED, OutcomeKind.HTTP_ERROR);
		Job first = this.service.rerun("alice", original.id(), RerunDraft.FAILED, "rerun-1").block(TIMEOUT);
		assertThat(this.service.rerun("alice", original.id(), RerunDraft.FAILED, "rerun-1").block(TIMEOUT).id())
			.isEqualTo(first.id());
		this.service.cancel("alice", first.id()).block(TIMEOUT);
		this.clock.advance(Duration.ofMillis(5));
		Job second = this.service.rerun("alice", original.id(), RerunDraft.FAILED, null).block(TIMEOUT);
		assertThat(this.service.reruns("alice", original.id()).block(TIMEOUT)).containsExactly(second.id(), first.id());
		// A rerun of a rerun names its own original and indexes.
		Job again = this.service.rerun("alice", first.id(), RerunDraft.FAILED, null).block(TIMEOUT);
		assertThat(again.rerunOf()).isEqualTo(first.id());
	}

	// Helpers

	/** A finished job of alice's, named "original", whose requests ended with these outcomes. */
	/** A result of a rerun of every odd index of the original, in order. */
	private static void rerunsTheOddIndexes(JobResult result) {
		assertThat(result.sourceIndex()).as("source of %d", result.index()).isEqualTo(2 * result.index() + 1);
	}

	private Job finished(JobStatus status, OutcomeKind... outcomes) {
		return finished(this.service, status, outcomes);
	}

	private Job finished(DefaultJobService service, JobStatus status, OutcomeKind... outcomes) {
		List<FetchRequest> requests = IntStream.range(0, outcomes.length)
			.mapToObj((i) -> new FetchRequest(URI.create("http://127.0.0.1:1/r/" + i), "POST",
					Map.of("Authorization", "Bearer secret-" + i), "{\"i\":" + i + "}", Map.of()))
			.toList();
		JobSpec spec = JobSpec.of(requests, FetchPolicy.DEFAULT.withFailFast(true)).withName("original");
		Job job = service.submit("alice", spec).block(TIMEOUT);
		ClaimedJob claimed = this.queue.claim("node-a", 1, this.clock.instant(), this.clock.instant().plusSeconds(30))
			.blockFirst(TIMEOUT);
		assertThat(claimed.job().id()).isEqualTo(job.id());
		List<JobResult> results = IntStream.range(0, outcomes.length)
			.filter((i) -> outcomes[i] != OutcomeKind.CANCELLED)
			.mapToObj((i) -> result(job.id(), i, outcomes[i]))
			.toList();
		this.queue.appendResults(claimed.fence(), results).block(TIMEOUT);
		this.queue.finish(claimed.fence(), status, null, spec.requests(), this.clock.instant(), "test")
			.block(TIMEOUT);
		this.clock.advance(Duration.ofMillis(5));
		return service.get("alice", job.id()).block(TIMEOUT);
	}

	private JobResult result(UUID jobId, int index, OutcomeKind outcome) {
		return new JobResult(jobId, index, "POST", URI.create("http://127.0.0.1:1/r/" + index), outcome,
				(outcome == OutcomeKind.SUCCEEDED) ? 200 : null, 1, this.clock.instant(), Duration.ofMillis(5), null, 0,
				Map.of(), outcome.isSuccess() ? null : new FetchError(ErrorKind.INTERNAL, outcome.name()));
	}

	private static JobSpec spec(int requests) {
		return JobSpec.of(IntStream.range(0, requests).mapToObj((i) -> FetchRequest.get("http://127.0.0.1:1/r/" + i))
			.toList(), FetchPolicy.DEFAULT);
	}

	private List<ClaimedJob> claim(Instant now) {
		return this.queue.claim("node-a", 10, now, now.plusSeconds(30)).collectList().block(TIMEOUT);
	}

	private UUID claimOne(Instant now) {
		List<ClaimedJob> claimed = this.queue.claim("node-a", 1, now, now.plusSeconds(30)).collectList().block(TIMEOUT);
		assertThat(claimed).hasSize(1);
		return claimed.get(0).job().id();
	}

}
