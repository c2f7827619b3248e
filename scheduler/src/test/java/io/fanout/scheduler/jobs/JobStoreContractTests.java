package io.fanout.scheduler.jobs;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
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
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalTransitionException;
import io.fanout.scheduler.CompactRequests;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestIds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the job repository and the job queue must do together, run against each supported database
 * by a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JobStoreContractTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final Duration LEASE = Duration.ofSeconds(30);

	final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

	@RegisterExtension
	final SchedulerFixture fixture = createFixture();

	TestDatabase database;

	Database db;

	R2dbcJobRepository jobs;

	R2dbcJobQueue queue;

	abstract SchedulerFixture createFixture();

	abstract Dialect expectedDialect();

	@BeforeAll
	void useTheFixture() {
		this.database = this.fixture.database();
		this.db = this.fixture.db();
		this.jobs = this.fixture.jobs();
		this.queue = this.fixture.queue();
	}

	@Test
	void recognizesItsDatabaseBehindAPool() {
		assertThat(this.db.dialect()).isEqualTo(expectedDialect());
	}

	// Submission and queries

	@Test
	void insertedJobIsQueuedAndFoundByItsOwnerOnly() {
		JobSpec spec = spec(3).withName("three cities").withLabels(Map.of("team", "weather")).withPriority(5);
		Job inserted = insert("alice", spec, null);
		assertThat(inserted.status()).isEqualTo(JobStatus.QUEUED);
		StepVerifier.create(this.jobs.find("alice", inserted.id())).assertNext((job) -> {
			assertThat(job).isEqualTo(inserted);
			assertThat(job.name()).isEqualTo("three cities");
			assertThat(job.labels()).containsEntry("team", "weather");
			assertThat(job.progress().total()).isEqualTo(3);
			assertThat(job.progress().pending()).isEqualTo(3);
			assertThat(job.attempt()).isZero();
		}).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.find("mallory", inserted.id())).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.findSpec("mallory", inserted.id())).expectComplete().verify(TIMEOUT);
	}

	@Test
	void specRoundTripsWithHeadersPolicyAndDeadline() {
		FetchRequest request = new FetchRequest(URI.create("https://example.com/a?b=c"), "POST",
				Map.of("Authorization", "Bearer secret"), "{\"q\":1}", Map.of("temperature", "$.current.tmp"));
		JobSpec spec = JobSpec.of(List.of(request), FetchPolicy.DEFAULT.withConcurrency(3).withFailFast(true))
			.withDeadline(Duration.ofSeconds(90))
			.withName("n")
			.withLabels(Map.of("k", "v"));
		Job job = insert("alice", spec, null);
		StepVerifier.create(this.jobs.findSpec("alice", job.id()))
			.assertNext((stored) -> assertThat(stored).isEqualTo(spec))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void specsAreStoredCompressedAndNeverMissing() {
		JobSpec spec = spec(10_000);
		Job job = insert("alice", spec, null);
		String row = "FROM job_specs WHERE job_id = '" + job.id() + "'";
		assertThat(this.database.queryForLong("SELECT COUNT(*) " + row + " AND spec IS NULL")).isOne();
		// The requests are stored apart, in chunks of 1,000: as JSON, these 10,000 are over 800 KB.
		String chunks = "FROM job_request_chunks WHERE job_id = '" + job.id() + "'";
		assertThat(this.database.queryForLong("SELECT COUNT(*) " + chunks)).isEqualTo(10);
		assertThat(this.database.queryForLong("SELECT SUM(OCTET_LENGTH(requests)) " + chunks)).isLessThan(70_000);
		assertThat(this.database.queryForLong("SELECT OCTET_LENGTH(spec_gzip) " + row)).isLessThan(1_000);
		assertThat(this.jobs.findSpec("alice", job.id()).block(TIMEOUT)).isEqualTo(spec);
		JobSpec claimed = claim("node-a", 1).get(0).spec();
		assertThat(claimed.requests()).hasSize(10_000).isInstanceOf(CompactRequests.class);
		assertThat(claimed.requests().get(9_999)).isEqualTo(spec.requests().get(9_999));
		assertThat(claimed).isEqualTo(spec);
		assertThatThrownBy(() -> this.database.execute("UPDATE job_specs SET spec_gzip = NULL WHERE job_id = '"
				+ job.id() + "'")).satisfies((ex) -> assertThat(ex.getMessage()).containsIgnoringCase("job_specs_spec_present"));
		// Deleting the job deletes its chunks.
		this.database.execute("DELETE FROM jobs WHERE id = '" + job.id() + "'");
		assertThat(this.database.queryForLong("SELECT COUNT(*) " + chunks)).isZero();
	}

	@Test
	void specStoredAsTextByAnEarlierVersionIsStillReadAndRun() {
		Job job = insert("alice", spec(1), null);
		// The form versions before V3 of the schema wrote: the JSON as text, nothing compressed.
		this.database.execute("UPDATE job_specs SET spec_gzip = NULL, spec = '{\"version\":1,\"requests\":["
				+ "{\"url\":\"http://127.0.0.1:1/old/0\",\"method\":\"GET\",\"headers\":{\"Accept\":\"text/plain\"},"
				+ "\"body\":null,\"extract\":{}}],\"policy\":{\"concurrency\":2,\"timeoutMillis\":5000,"
				+ "\"maxAttempts\":1,\"initialBackoffMillis\":100,\"maxBackoffMillis\":1000,\"retryOn\":[],"
				+ "\"failFast\":false,\"maxBodySize\":1000,\"followRedirects\":false,\"maxRedirects\":0},"
				+ "\"deadlineMillis\":60000}' WHERE job_id = '" + job.id() + "'");
		FetchRequest request = new FetchRequest(URI.create("http://127.0.0.1:1/old/0"), "GET",
				Map.of("Accept", "text/plain"), null, Map.of());

		JobSpec claimed = claim("node-a", 1).get(0).spec();
		assertThat(claimed.requests()).containsExactly(request);
		assertThat(claimed.policy().concurrency()).isEqualTo(2);
		assertThat(claimed.policy().timeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(claimed.deadline()).isEqualTo(Duration.ofMinutes(1));
		assertThat(this.jobs.findSpec("alice", job.id()).block(TIMEOUT)).isEqualTo(claimed);
	}

	@Test
	void sameIdempotencyKeyAndSubmissionFindsTheFirstJob() {
		JobSpec spec = spec(2);
		Job first = insert("alice", spec, "key-1");
		StepVerifier.create(this.jobs.findIdempotent("alice", "key-1", spec(2), null))
			.assertNext((job) -> assertThat(job.id()).isEqualTo(first.id()))
			.expectComplete()
			.verify(TIMEOUT);
		// The key is the owner's: another owner may use it for anything.
		StepVerifier.create(this.jobs.findIdempotent("bob", "key-1", spec(5), null)).expectComplete().verify(TIMEOUT);
	}

	@Test
	void sameIdempotencyKeyWithAnotherSubmissionIsAConflict() {
		Job first = insert("alice", spec(2), "key-1");
		StepVerifier.create(this.jobs.findIdempotent("alice", "key-1", spec(3), null))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(IdempotencyConflictException.class)
				.satisfies((conflict) -> assertThat(((IdempotencyConflictException) conflict).jobId())
					.isEqualTo(first.id())))
			.verify(TIMEOUT);
		StepVerifier.create(this.jobs.insert(newJob("alice", spec(3), "key-1")))
			.expectError(IdempotencyConflictException.class)
			.verify(TIMEOUT);
	}

	@Test
	void aLargeJobIsStoredAndFoundByItsKeyAsASmallOneIs() {
		// Over R2dbcJobRepository.LARGE_JOB: fingerprinted and encoded off the subscribing thread.
		int requests = R2dbcJobRepository.LARGE_JOB + 1;
		Job first = insert("alice", spec(requests), "large");
		assertThat(first.progress().total()).isEqualTo(requests);
		StepVerifier.create(this.jobs.findIdempotent("alice", "large", spec(requests), null))
			.assertNext((job) -> assertThat(job.id()).isEqualTo(first.id()))
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(this.jobs.insert(newJob("alice", spec(requests + 1), "large")))
			.expectError(IdempotencyConflictException.class)
			.verify(TIMEOUT);
		assertThat(this.jobs.findSpec("alice", first.id()).block(TIMEOUT).requests()).hasSize(requests);
	}

	@Test
	void concurrentSubmissionsWithOneKeyCreateOneJob() {
		List<Job> jobs = Flux.range(0, 8)
			.flatMap((i) -> this.jobs.insert(newJob("alice", spec(2), "race")).subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(TIMEOUT);
		assertThat(jobs).hasSize(8).extracting(Job::id).containsOnly(jobs.get(0).id());
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isEqualTo(1);
	}

	@Test
	void listsNewestFirstWithCursorPagingAndFilters() {
		UUID schedule = UUID.randomUUID();
		List<Job> jobs = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			Map<String, String> labels = (i % 2 == 0) ? Map.of("parity", "even", "team", "a") : Map.of("parity", "odd");
			jobs.add(this.jobs.insert(new NewJob(TestIds.next(this.t0.plusSeconds(i)), "alice",
					spec(1).withLabels(labels).withName((i == 5) ? "five" : null), null, (i < 3) ? schedule : null,
					this.t0.plusSeconds(i)))
				.block(TIMEOUT));
		}
		insert("bob", spec(1), null);
		List<UUID> newestFirst = new ArrayList<>(jobs.stream().map(Job::id).toList());
		java.util.Collections.reverse(newestFirst);

		JobPage first = this.jobs.list("alice", JobQuery.all().withLimit(3)).block(TIMEOUT);
		assertThat(first.items()).extracting(Job::id).containsExactlyElementsOf(newestFirst.subList(0, 3));
		JobPage second = this.jobs.list("alice", JobQuery.all().withLimit(3).withCursor(first.nextCursor()))
			.block(TIMEOUT);
		assertThat(second.items()).extracting(Job::id).containsExactlyElementsOf(newestFirst.subList(3, 6));
		JobPage last = this.jobs.list("alice", JobQuery.all().withLimit(3).withCursor(second.nextCursor()))
			.block(TIMEOUT);
		assertThat(last.items()).extracting(Job::id).containsExactly(newestFirst.get(6));
		assertThat(last.nextCursor()).isNull();

		assertThat(this.jobs.list("alice", JobQuery.all().withLabel("parity", "even")).block(TIMEOUT).items())
			.extracting(Job::id)
			.containsExactly(jobs.get(6).id(), jobs.get(4).id(), jobs.get(2).id(), jobs.get(0).id());
		assertThat(this.jobs.list("alice", JobQuery.all().withLabel("parity", "even").withLabel("team", "b"))
			.block(TIMEOUT)
			.items()).isEmpty();
		assertThat(this.jobs.list("alice", JobQuery.all().withScheduleId(schedule)).block(TIMEOUT).items())
			.extracting(Job::id)
			.containsExactly(jobs.get(2).id(), jobs.get(1).id(), jobs.get(0).id());
		assertThat(this.jobs.list("alice", JobQuery.all().withName("five")).block(TIMEOUT).items())
			.extracting(Job::id)
			.containsExactly(jobs.get(5).id());
		assertThat(this.jobs.list("bob", JobQuery.all().withName("five")).block(TIMEOUT).items()).isEmpty();
		claim("node-a", 1);
		assertThat(this.jobs.list("alice", JobQuery.all().withStatuses(Set.of(JobStatus.RUNNING))).block(TIMEOUT).items())
			.extracting(Job::id)
			.containsExactly(jobs.get(0).id());
		assertThat(this.jobs.list("bob", JobQuery.all()).block(TIMEOUT).items()).hasSize(1);
	}

	@Test
	void countsQueuedJobsOfAllOwners() {
		insert("alice", spec(1), null);
		insert("bob", spec(1), null);
		insert("bob", spec(1), null);
		claim("node-a", 1);
		StepVerifier.create(this.jobs.countQueued()).expectNext(2L).expectComplete().verify(TIMEOUT);
	}

	// Claiming and leases

	@Test
	void claimsByPriorityThenAge() {
		Job low = insert("alice", spec(1).withPriority(-1), null);
		Job oldNormal = insert("alice", spec(1), null);
		Job high = insert("bob", spec(1).withPriority(10), null);
		Job newNormal = insert("alice", spec(1), null);
		List<ClaimedJob> claimed = claim("node-a", 3);
		assertThat(claimed).extracting((c) -> c.job().id())
			.containsExactlyInAnyOrder(high.id(), oldNormal.id(), newNormal.id());
		assertThat(claim("node-a", 3)).extracting((c) -> c.job().id()).containsExactly(low.id());
		assertThat(claim("node-a", 3)).isEmpty();
	}

	@Test
	void claimStartsTheJobUnderALease() {
		Job job = insert("alice", spec(2).withDeadline(Duration.ofMinutes(1)), null);
		ClaimedJob claimed = claim("node-a", 1).get(0);
		assertThat(claimed.fence()).isEqualTo(new Fence(job.id(), "node-a", 1));
		assertThat(claimed.spec().requests()).hasSize(2);
		assertThat(claimed.job().status()).isEqualTo(JobStatus.RUNNING);
		assertThat(this.queue.lease(job.id()).block(TIMEOUT))
			.isEqualTo(new JobQueue.Lease("node-a", this.t0.plus(LEASE)));
		assertThat(claimed.job().startedAt()).isEqualTo(this.t0);
		assertThat(claimed.job().deadlineAt()).isEqualTo(this.t0.plusSeconds(60));
	}

	@Test
	void concurrentClaimersNeverClaimOneJobTwice() {
		int jobs = 40;
		for (int i = 0; i < jobs; i++) {
			insert("alice", spec(1), null);
		}
		List<ClaimedJob> claimed = Flux.range(0, 8)
			// Each claimer goes on until it sees the queue empty; some of its rounds lose every race.
			.flatMap((node) -> this.queue.claim("node-" + node, 2, this.t0, this.t0.plus(LEASE))
				.collectList()
				.repeatWhen((rounds) -> rounds.concatMap((round) -> this.jobs.countQueued())
					.takeWhile((queued) -> queued > 0))
				.flatMapIterable((batch) -> batch)
				.subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(TIMEOUT);
		assertThat(claimed).hasSize(jobs);
		assertThat(claimed.stream().map((c) -> c.job().id()).distinct()).hasSize(jobs);
		assertThat(claimed).allSatisfy((c) -> assertThat(c.fence().attempt()).isEqualTo(1));
	}

	@Test
	void renewExtendsTheLeaseOfItsHolderOnly() {
		insert("alice", spec(1), null);
		ClaimedJob claimed = claim("node-a", 1).get(0);
		Fence fence = claimed.fence();
		StepVerifier.create(this.queue.renew(fence, this.t0.plusSeconds(100))).expectNext(true).expectComplete().verify(TIMEOUT);
		assertThat(this.queue.lease(fence.jobId()).block(TIMEOUT).expiresAt()).isEqualTo(this.t0.plusSeconds(100));
		StepVerifier.create(this.queue.renew(new Fence(fence.jobId(), "node-b", 1), this.t0.plusSeconds(200)))
			.expectNext(false)
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(this.queue.renew(new Fence(fence.jobId(), "node-a", 2), this.t0.plusSeconds(200)))
			.expectNext(false)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void expiredLeasesAreRequeuedAndClaimedAgainWithTheNextAttempt() {
		insert("alice", spec(1), null);
		ClaimedJob first = claim("node-a", 1).get(0);
		StepVerifier.create(this.queue.requeueExpired(this.t0.plus(LEASE))).expectNext(0).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.requeueExpired(this.t0.plus(LEASE).plusMillis(1)))
			.expectNext(1)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(find(first.job()).status()).isEqualTo(JobStatus.QUEUED);
		ClaimedJob second = this.queue.claim("node-b", 1, this.t0.plusSeconds(40), this.t0.plusSeconds(70))
			.blockFirst(TIMEOUT);
		assertThat(second.fence()).isEqualTo(new Fence(first.job().id(), "node-b", 2));
		// The first start stays the start: the deadline counts from it.
		assertThat(second.job().startedAt()).isEqualTo(this.t0);
	}

	@Test
	void aWorkerWhoseLeaseWasTakenOverCannotWrite() {
		Job job = insert("alice", spec(3), null);
		Fence stale = claim("node-a", 1).get(0).fence();
		this.queue.requeueExpired(this.t0.plusSeconds(31)).block(TIMEOUT);
		Fence current = this.queue.claim("node-b", 1, this.t0.plusSeconds(31), this.t0.plusSeconds(61))
			.blockFirst(TIMEOUT)
			.fence();

		StepVerifier.create(this.queue.appendResults(stale, List.of(result(job.id(), 0, OutcomeKind.SUCCEEDED))))
			.expectError(LeaseLostException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.queue.renew(stale, this.t0.plusSeconds(90))).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.release(stale)).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.finish(stale, JobStatus.COMPLETED, null, spec(3).requests(), this.t0, "x"))
			.expectError(LeaseLostException.class)
			.verify(TIMEOUT);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isZero();

		this.queue.appendResults(current, List.of(result(job.id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		Job after = find(job);
		assertThat(after.status()).isEqualTo(JobStatus.RUNNING);
		assertThat(this.queue.lease(job.id()).block(TIMEOUT).owner()).isEqualTo("node-b");
		assertThat(after.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(1);
	}

	@Test
	void releaseGivesTheJobBackToTheQueue() {
		Job job = insert("alice", spec(1), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		StepVerifier.create(this.queue.release(fence)).expectNext(true).expectComplete().verify(TIMEOUT);
		assertThat(find(job).status()).isEqualTo(JobStatus.QUEUED);
		assertThat(claim("node-b", 1).get(0).fence().attempt()).isEqualTo(2);
	}

	// Results

	@Test
	void resultsFarApartInOneBatchAreWrittenOnceToo() {
		// A batch spanning far more indexes than it holds is checked against its own indexes, not
		// every stored one in its span; both checks must leave each result written once.
		Job job = insert("alice", spec(1_000), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 999, OutcomeKind.SUCCEEDED),
				result(job.id(), 0, OutcomeKind.SUCCEEDED), result(job.id(), 500, OutcomeKind.HTTP_ERROR)))
			.block(TIMEOUT);
		this.queue.appendResults(fence, List.of(result(job.id(), 999, OutcomeKind.TIMED_OUT),
				result(job.id(), 3, OutcomeKind.SUCCEEDED), result(job.id(), 500, OutcomeKind.TIMED_OUT)))
			.block(TIMEOUT);
		Job after = find(job);
		assertThat(after.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(3);
		assertThat(after.progress().count(OutcomeKind.HTTP_ERROR)).isEqualTo(1);
		assertThat(after.progress().count(OutcomeKind.TIMED_OUT)).isZero();
		BitSet expected = new BitSet();
		expected.set(0);
		expected.set(3);
		expected.set(500);
		expected.set(999);
		StepVerifier.create(this.queue.resultedIndexes(job.id())).expectNext(expected).expectComplete().verify(TIMEOUT);
	}

	@Test
	void resultsAreWrittenOnceAndCounted() {
		Job job = insert("alice", spec(4), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 2, OutcomeKind.SUCCEEDED),
				result(job.id(), 0, OutcomeKind.HTTP_ERROR)))
			.block(TIMEOUT);
		// Index 2 again, in another batch and twice in the same one: stored once, counted once.
		this.queue.appendResults(fence, List.of(result(job.id(), 2, OutcomeKind.TIMED_OUT),
				result(job.id(), 1, OutcomeKind.SUCCEEDED), result(job.id(), 1, OutcomeKind.TIMED_OUT)))
			.block(TIMEOUT);
		Job after = find(job);
		assertThat(after.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(2);
		assertThat(after.progress().count(OutcomeKind.HTTP_ERROR)).isEqualTo(1);
		assertThat(after.progress().count(OutcomeKind.TIMED_OUT)).isZero();
		assertThat(after.progress().pending()).isEqualTo(1);
		BitSet expected = new BitSet();
		expected.set(0, 3);
		StepVerifier.create(this.queue.resultedIndexes(job.id())).expectNext(expected).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.resultsInStoredOrder(job.id(), 0, 10, Long.MAX_VALUE, false)
			.flatMapIterable(JobRepository.StoredResults::results)
			.map(JobResult::index))
			.expectNext(2, 0, 1)
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(this.jobs.resultsInStoredOrder(job.id(), 1, 1, Long.MAX_VALUE, false)
			.flatMapIterable(JobRepository.StoredResults::results)
			.map(JobResult::index))
			.expectNext(0)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void resultsRoundTripEveryField() {
		Job job = insert("alice", spec(1), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		JobResult written = new JobResult(job.id(), 0, "GET", URI.create("http://127.0.0.1:1/r/0"),
				OutcomeKind.HTTP_ERROR, 503, 3, this.t0.plusMillis(1234), Duration.ofMillis(250).plusNanos(7000),
				"unavailable ✓", 15, Map.of("temperature", 21, "tags", List.of("a", "b"), "missing", "x"),
				new FetchError(ErrorKind.HTTP_STATUS, "HTTP 503"));
		this.queue.appendResults(fence, List.of(written)).block(TIMEOUT);
		StepVerifier.create(this.jobs.results(job.id(), ResultQuery.all().withBodies(true), Long.MAX_VALUE))
			.assertNext((page) -> assertThat(page.items()).containsExactly(written))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void resultsArePagedByIndexAndFilteredByOutcome() {
		Job job = insert("alice", spec(10), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		List<JobResult> results = IntStream.range(0, 10)
			.mapToObj((i) -> result(job.id(), 9 - i, (i % 3 == 0) ? OutcomeKind.TIMED_OUT : OutcomeKind.SUCCEEDED))
			.toList();
		this.queue.appendResults(fence, results).block(TIMEOUT);
		ResultPage first = this.jobs.results(job.id(), ResultQuery.all().withLimit(4), Long.MAX_VALUE).block(TIMEOUT);
		assertThat(first.items()).extracting(JobResult::index).containsExactly(0, 1, 2, 3);
		assertThat(first.nextCursor()).isEqualTo(3);
		ResultPage second = this.jobs.results(job.id(), ResultQuery.all().withLimit(4).withCursor(3), Long.MAX_VALUE).block(TIMEOUT);
		assertThat(second.items()).extracting(JobResult::index).containsExactly(4, 5, 6, 7);
		ResultPage third = this.jobs.results(job.id(), ResultQuery.all().withLimit(4).withCursor(7), Long.MAX_VALUE).block(TIMEOUT);
		assertThat(third.items()).extracting(JobResult::index).containsExactly(8, 9);
		assertThat(third.nextCursor()).isNull();
		ResultPage timedOut = this.jobs.results(job.id(), ResultQuery.all().withOutcomes(Set.of(OutcomeKind.TIMED_OUT)), Long.MAX_VALUE)
			.block(TIMEOUT);
		assertThat(timedOut.items()).extracting(JobResult::index).containsExactly(0, 3, 6, 9);
	}

	@Test
	void resultsReadWithoutBodiesNeitherSelectNorCarryThem() {
		Job job = insert("alice", spec(3), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 0, OutcomeKind.SUCCEEDED),
				result(job.id(), 1, OutcomeKind.SUCCEEDED), result(job.id(), 2, OutcomeKind.TIMED_OUT)))
			.block(TIMEOUT);

		// The statement does not name the body column: the database neither reads nor sends bodies.
		String withoutBodies = JobSql.resultPage("job_id = :id", "idx", 10, false);
		assertThat(withoutBodies).doesNotContainPattern("\\bbody\\b").contains("body_size");
		assertThat(JobSql.resultPage("job_id = :id", "seq", 10, true)).containsPattern("\\bbody\\b");
		List<String> columns = this.db.client()
			.sql(withoutBodies)
			.bind("id", job.id())
			.bind("budget", Long.MAX_VALUE)
			.map((row, metadata) -> metadata.getColumnMetadatas()
				.stream()
				.map((column) -> column.getName().toLowerCase(java.util.Locale.ROOT))
				.toList())
			.first()
			.block(TIMEOUT);
		assertThat(columns).contains("idx", "body_size").doesNotContain("body");

		assertThat(this.jobs.results(job.id(), ResultQuery.all(), Long.MAX_VALUE).block(TIMEOUT).items())
			.hasSize(3)
			.allSatisfy((result) -> assertThat(result.body()).isNull());
		assertThat(this.jobs.results(job.id(), ResultQuery.all().withBodies(true), Long.MAX_VALUE)
			.block(TIMEOUT)
			.items()).extracting(JobResult::body).containsExactly("body 0", "body 1", "body 2");
		assertThat(this.jobs.resultsInStoredOrder(job.id(), 0, 10, Long.MAX_VALUE, false).block(TIMEOUT).results())
			.hasSize(3)
			.allSatisfy((result) -> assertThat(result.body()).isNull());
		assertThat(this.jobs.resultsInStoredOrder(job.id(), 0, 10, Long.MAX_VALUE, true).block(TIMEOUT).results())
			.extracting(JobResult::body)
			.containsExactly("body 0", "body 1", "body 2");
	}

	@Test
	void pagesEndAtTheirByteBudgetAndALargerResultComesAlone() {
		Job job = insert("alice", spec(5), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		List<JobResult> results = IntStream.range(0, 5).mapToObj((i) -> withBody(result(job.id(), i, OutcomeKind.SUCCEEDED),
				"x".repeat(1000))).toList();
		this.queue.appendResults(fence, results).block(TIMEOUT);
		// About 1,300 bytes a result with its body, under 300 without.
		long budget = 3000;

		ResultQuery bodies = ResultQuery.all().withBodies(true);
		ResultPage first = this.jobs.results(job.id(), bodies, budget).block(TIMEOUT);
		assertThat(first.items()).extracting(JobResult::index).containsExactly(0, 1);
		assertThat(first.nextCursor()).isEqualTo(1);
		ResultPage second = this.jobs.results(job.id(), bodies.withCursor(1), budget).block(TIMEOUT);
		assertThat(second.items()).extracting(JobResult::index).containsExactly(2, 3);
		ResultPage third = this.jobs.results(job.id(), bodies.withCursor(3), budget).block(TIMEOUT);
		assertThat(third.items()).extracting(JobResult::index).containsExactly(4);
		assertThat(third.nextCursor()).isNull();

		// Without bodies the same budget holds them all; the row limit still applies.
		ResultPage light = this.jobs.results(job.id(), ResultQuery.all(), budget).block(TIMEOUT);
		assertThat(light.items()).hasSize(5);
		assertThat(light.nextCursor()).isNull();
		ResultPage limited = this.jobs.results(job.id(), ResultQuery.all().withLimit(3), budget).block(TIMEOUT);
		assertThat(limited.items()).hasSize(3);
		assertThat(limited.nextCursor()).isEqualTo(2);

		// A result over the whole budget is a page of its own, not a page without end.
		ResultPage single = this.jobs.results(job.id(), bodies, 1).block(TIMEOUT);
		assertThat(single.items()).extracting(JobResult::index).containsExactly(0);
		assertThat(single.nextCursor()).isEqualTo(0);

		// Streams read the same way, in storage order.
		JobRepository.StoredResults read = this.jobs.resultsInStoredOrder(job.id(), 1, 10, budget, true).block(TIMEOUT);
		assertThat(read.results()).extracting(JobResult::index).containsExactly(1, 2);
		assertThat(read.more()).isTrue();
		JobRepository.StoredResults rest = this.jobs.resultsInStoredOrder(job.id(), 3, 10, budget, true).block(TIMEOUT);
		assertThat(rest.results()).extracting(JobResult::index).containsExactly(3, 4);
		assertThat(rest.more()).isFalse();
		assertThat(this.jobs.resultsInStoredOrder(job.id(), 0, 5, budget, false).block(TIMEOUT).more()).isFalse();
		assertThat(this.jobs.resultsInStoredOrder(job.id(), 0, 4, budget, false).block(TIMEOUT).more()).isTrue();
	}

	@Test
	void finishMarksEveryRequestWithoutAResultCancelled() {
		JobSpec spec = spec(5);
		Job job = insert("alice", spec, null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 1, OutcomeKind.SUCCEEDED),
				result(job.id(), 3, OutcomeKind.HTTP_ERROR)))
			.block(TIMEOUT);
		JobError error = new JobError(JobError.Kind.DEADLINE_EXCEEDED, "too late");
		this.queue.finish(fence, JobStatus.FAILED, error, spec.requests(), this.t0.plusSeconds(5), "job deadline exceeded")
			.block(TIMEOUT);
		Job after = find(job);
		assertThat(after.status()).isEqualTo(JobStatus.FAILED);
		assertThat(after.error()).isEqualTo(error);
		assertThat(after.finishedAt()).isEqualTo(this.t0.plusSeconds(5));
		StepVerifier.create(this.queue.lease(job.id())).expectComplete().verify(TIMEOUT);
		assertThat(after.progress().count(OutcomeKind.CANCELLED)).isEqualTo(3);
		assertThat(after.progress().pending()).isZero();
		List<JobResult> results = this.jobs.results(job.id(), ResultQuery.all(), Long.MAX_VALUE).block(TIMEOUT).items();
		assertThat(results).extracting(JobResult::outcome)
			.containsExactly(OutcomeKind.CANCELLED, OutcomeKind.SUCCEEDED, OutcomeKind.CANCELLED,
					OutcomeKind.HTTP_ERROR, OutcomeKind.CANCELLED);
		assertThat(results.get(4).url()).isEqualTo(spec.requests().get(4).url());
		assertThat(results.get(4).error()).isEqualTo(new FetchError(ErrorKind.CANCELLED, "job deadline exceeded"));
		StepVerifier.create(this.jobs.resultsInStoredOrder(job.id(), 0, 10, Long.MAX_VALUE, false)
			.flatMapIterable(JobRepository.StoredResults::results)
			.map(JobResult::index))
			.expectNext(1, 3, 0, 2, 4)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void thousandsOfRequestsWithoutAResultAreCancelledInBatchesNumberedWithoutGaps() {
		JobSpec spec = spec(2_500);
		Job running = insert("alice", spec, null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(running.id(), 0, OutcomeKind.SUCCEEDED),
				result(running.id(), 999, OutcomeKind.SUCCEEDED), result(running.id(), 1_000, OutcomeKind.SUCCEEDED),
				result(running.id(), 2_499, OutcomeKind.SUCCEEDED)))
			.block(TIMEOUT);
		this.queue.finish(fence, JobStatus.CANCELLED, null, spec.requests(), this.t0, "cancelled").block(TIMEOUT);
		Job queued = insert("alice", spec, null);
		assertThat(this.jobs.cancelQueued(queued.id(), this.t0).block(TIMEOUT)).isTrue();
		for (Job job : List.of(running, queued)) {
			String rows = " FROM job_results WHERE job_id = '" + job.id() + "'";
			assertThat(this.database.queryForLong("SELECT COUNT(DISTINCT idx)" + rows)).isEqualTo(2_500);
			assertThat(this.database.queryForLong("SELECT COUNT(DISTINCT seq)" + rows)).isEqualTo(2_500);
			assertThat(this.database.queryForLong("SELECT MAX(seq)" + rows)).isEqualTo(2_499);
			assertThat(find(job).progress().pending()).isZero();
		}
		assertThat(find(running).progress().count(OutcomeKind.CANCELLED)).isEqualTo(2_496);
		assertThat(find(queued).progress().count(OutcomeKind.CANCELLED)).isEqualTo(2_500);
	}

	@Test
	void finishRefusesATransitionOutsideTheTable() {
		insert("alice", spec(1), null);
		Fence fence = claim("node-a", 1).get(0).fence();
		assertThatThrownBy(() -> this.queue.finish(fence, JobStatus.RUNNING, null, List.of(), this.t0, "x"))
			.isInstanceOf(IllegalTransitionException.class);
	}

	// Cancellation, deletion, retention

	@Test
	void queuedJobIsCancelledAtOnceWithEveryRequestCancelled() {
		Job job = insert("alice", spec(3), null);
		StepVerifier.create(this.jobs.requestCancel("mallory", job.id())).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.requestCancel("alice", job.id())).expectNext(true).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.cancelQueued(job.id(), this.t0.plusSeconds(1)))
			.expectNext(true)
			.expectComplete()
			.verify(TIMEOUT);
		Job after = find(job);
		assertThat(after.status()).isEqualTo(JobStatus.CANCELLED);
		assertThat(after.cancelRequested()).isTrue();
		assertThat(after.progress().count(OutcomeKind.CANCELLED)).isEqualTo(3);
		assertThat(claim("node-a", 1)).isEmpty();
		StepVerifier.create(this.jobs.cancelQueued(job.id(), this.t0)).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.requestCancel("alice", job.id())).expectNext(false).expectComplete().verify(TIMEOUT);
	}

	@Test
	void runningJobIsFlaggedForItsWorker() {
		Job job = insert("alice", spec(1), null);
		insert("alice", spec(1), null);
		claim("node-a", 2);
		StepVerifier.create(this.queue.findCancelRequested("node-a")).expectComplete().verify(TIMEOUT);
		this.jobs.requestCancel("alice", job.id()).block(TIMEOUT);
		StepVerifier.create(this.jobs.cancelQueued(job.id(), this.t0)).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.findCancelRequested("node-a")).expectNext(job.id()).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.findCancelRequested("node-b")).expectComplete().verify(TIMEOUT);
	}

	@Test
	void onlyFinishedJobsAreDeletedWithTheirResults() {
		JobSpec spec = spec(2);
		Job job = insert("alice", spec, null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		StepVerifier.create(this.jobs.deleteFinished("alice", job.id())).expectNext(false).expectComplete().verify(TIMEOUT);
		this.queue.finish(fence, JobStatus.COMPLETED, null, spec.requests(), this.t0, "x").block(TIMEOUT);
		StepVerifier.create(this.jobs.deleteFinished("mallory", job.id())).expectNext(false).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.deleteFinished("alice", job.id())).expectNext(true).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.jobs.find("alice", job.id())).expectComplete().verify(TIMEOUT);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isZero();
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_specs")).isZero();
	}

	@Test
	void purgeDeletesJobsFinishedBeforeTheCutoffInBatches() {
		Set<UUID> old = new HashSet<>();
		for (int i = 0; i < 5; i++) {
			Job job = insert("alice", spec(2), null);
			old.add(job.id());
		}
		List<ClaimedJob> claimed = claim("node-a", 5);
		for (ClaimedJob c : claimed) {
			this.queue.appendResults(c.fence(), List.of(result(c.job().id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
			this.queue.finish(c.fence(), JobStatus.COMPLETED, null, c.spec().requests(), this.t0, "x").block(TIMEOUT);
		}
		Job recent = insert("alice", spec(1), null);
		Fence recentFence = claim("node-a", 1).get(0).fence();
		this.queue.finish(recentFence, JobStatus.COMPLETED, null, spec(1).requests(), this.t0.plusSeconds(3600), "x")
			.block(TIMEOUT);
		Job queued = insert("alice", spec(1), null);

		Instant cutoff = this.t0.plusSeconds(60);
		StepVerifier.create(this.queue.purgeFinishedBefore(cutoff, 2)).expectNext(2).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.purgeFinishedBefore(cutoff, 2)).expectNext(2).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.purgeFinishedBefore(cutoff, 2)).expectNext(1).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.queue.purgeFinishedBefore(cutoff, 2)).expectNext(0).expectComplete().verify(TIMEOUT);
		assertThat(this.jobs.list("alice", JobQuery.all()).block(TIMEOUT).items()).extracting(Job::id)
			.containsExactly(queued.id(), recent.id());
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM job_results")).isEqualTo(1);
	}

	// A tenant's use of its quotas

	@Test
	void aTenantsStoredBytesAreItsJobsBodiesFinishedOrNotAndLeaveWithTheJobs() {
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 0));
		assertThat(settledBytes("alice")).as("the row the first read makes").isZero();
		JobSpec spec = spec(3);
		Job first = insert("alice", spec, null);
		Job second = insert("alice", spec, null);
		List<ClaimedJob> claimed = claim("node-a", 2);
		Fence firstFence = fenceOf(claimed, first);
		Fence secondFence = fenceOf(claimed, second);
		this.queue.appendResults(firstFence, List.of(result(first.id(), 0, OutcomeKind.SUCCEEDED),
				result(first.id(), 1, OutcomeKind.SUCCEEDED), withoutBody(result(first.id(), 2, OutcomeKind.SUCCEEDED))))
			.block(TIMEOUT);
		this.queue.appendResults(secondFence, List.of(result(second.id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 2, 18));

		this.queue.finish(firstFence, JobStatus.COMPLETED, null, spec.requests(), this.t0, "x").block(TIMEOUT);
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 1, 18));
		assertThat(settledBytes("alice")).as("the finished job's bytes, moved into the tenant's row").isEqualTo(12);
		Job queued = insert("alice", spec, null);
		assertThat(usage("alice")).isEqualTo(new TenantUsage(1, 1, 18));
		this.jobs.cancelQueued(queued.id(), this.t0).block(TIMEOUT);
		this.queue.finish(secondFence, JobStatus.FAILED, null, spec.requests(), this.t0, "x").block(TIMEOUT);
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 18));
		assertThat(settledBytes("alice")).isEqualTo(18);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs WHERE settled = FALSE")).isZero();

		assertThat(this.jobs.deleteFinished("alice", first.id()).block(TIMEOUT)).isTrue();
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 6));
		Job bobs = insert("bob", spec, null);
		Fence bobsFence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(bobsFence, List.of(result(bobs.id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		this.queue.finish(bobsFence, JobStatus.COMPLETED, null, spec.requests(), this.t0, "x").block(TIMEOUT);
		assertThat(usage("bob")).isEqualTo(new TenantUsage(0, 0, 6));
		// The second job, the cancelled one and bob's.
		assertThat(this.queue.purgeFinishedBefore(this.t0.plusSeconds(1), 10).block(TIMEOUT)).isEqualTo(3);
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 0));
		assertThat(usage("bob")).isEqualTo(new TenantUsage(0, 0, 0));
		assertThat(settledBytes("alice")).isZero();
		assertThat(settledBytes("bob")).isZero();
	}

	@Test
	void aJobFinishedByAnEarlierVersionCountsByItsOwnRowUntilDeleted() {
		JobSpec spec = spec(1);
		Job job = insert("alice", spec, null);
		Fence fence = claim("node-a", 1).get(0).fence();
		this.queue.appendResults(fence, List.of(result(job.id(), 0, OutcomeKind.SUCCEEDED))).block(TIMEOUT);
		this.queue.finish(fence, JobStatus.COMPLETED, null, spec.requests(), this.t0, "x").block(TIMEOUT);
		// As an instance of an earlier version leaves it: finished, its bytes in its own row only.
		this.database.execute("UPDATE jobs SET settled = FALSE");
		this.database.execute("UPDATE tenant_usage SET settled_bytes = 0");
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 6));
		assertThat(this.jobs.deleteFinished("alice", job.id()).block(TIMEOUT)).isTrue();
		assertThat(usage("alice")).isEqualTo(new TenantUsage(0, 0, 0));
		assertThat(settledBytes("alice")).as("nothing taken out of the row for it").isZero();
	}

	private TenantUsage usage(String owner) {
		return this.jobs.usage(owner).block(TIMEOUT);
	}

	private long settledBytes(String owner) {
		return this.database.queryForLong("SELECT settled_bytes FROM tenant_usage WHERE owner = '" + owner + "'");
	}

	private static Fence fenceOf(List<ClaimedJob> claimed, Job job) {
		return claimed.stream().filter((c) -> c.job().id().equals(job.id())).findFirst().orElseThrow().fence();
	}

	private static JobResult withoutBody(JobResult r) {
		return new JobResult(r.jobId(), r.index(), r.method(), r.url(), r.outcome(), r.httpStatus(), r.attempts(),
				r.startedAt(), r.duration(), null, 1000, r.extracted(), r.error());
	}

	// The state machine

	@Test
	void everyStatusChangeTheStoresMakeIsOneTheTransitionTableAllows() {
		for (JobStatus from : JobStatus.values()) {
			jobIn(from);
			assertThat(claim("node-a", 1)).as("claim from " + from)
				.hasSize(from.canTransitionTo(JobStatus.RUNNING) ? 1 : 0);
			Job expired = jobIn(from);
			assertThat(this.queue.requeueExpired(this.t0).block(TIMEOUT)).as("requeue from " + from)
				.isEqualTo(from.canTransitionTo(JobStatus.QUEUED) ? 1 : 0);
			assertThat(status(expired)).isEqualTo(from.canTransitionTo(JobStatus.QUEUED) ? JobStatus.QUEUED : from);
			assertThat(this.jobs.requestCancel("alice", jobIn(from).id()).block(TIMEOUT)).as("cancel request from " + from)
				.isEqualTo(from.canTransitionTo(JobStatus.CANCELLED));
			assertThat(this.jobs.cancelQueued(jobIn(from).id(), this.t0).block(TIMEOUT)).as("cancel from " + from)
				.isEqualTo(from == JobStatus.QUEUED && from.canTransitionTo(JobStatus.CANCELLED));
			Job finishing = jobIn(from);
			boolean finished = this.queue
				.finish(new Fence(finishing.id(), "node-x", 1), JobStatus.COMPLETED, null, spec(1).requests(), this.t0,
						"x")
				.thenReturn(true)
				.onErrorReturn(LeaseLostException.class, false)
				.block(TIMEOUT);
			assertThat(finished).as("finish from " + from).isEqualTo(from.canTransitionTo(JobStatus.COMPLETED));
			Job released = jobIn(from);
			assertThat(this.queue.release(new Fence(released.id(), "node-x", 1)).block(TIMEOUT)).as("release from " + from)
				.isEqualTo(from.canTransitionTo(JobStatus.QUEUED));
			assertThat(this.jobs.deleteFinished("alice", jobIn(from).id()).block(TIMEOUT)).as("delete from " + from)
				.isEqualTo(from.isTerminal());
		}
	}

	/** A job alone in the store, put in this status as if node-x had claimed it long ago. */
	private Job jobIn(JobStatus status) {
		this.database.execute("DELETE FROM jobs");
		Job job = insert("alice", spec(1), null);
		this.database.execute("UPDATE jobs SET status = '" + status.name() + "', lease_owner = 'node-x', attempt = 1, "
				+ "lease_expires_at = TIMESTAMP WITH TIME ZONE '2000-01-01 00:00:00+00' WHERE id = '" + job.id() + "'");
		return job;
	}

	private JobStatus status(Job job) {
		return find(job).status();
	}

	// Helpers

	static JobSpec spec(int requests) {
		List<FetchRequest> list = IntStream.range(0, requests)
			.mapToObj((i) -> FetchRequest.get("http://127.0.0.1:1/r/" + i))
			.toList();
		return JobSpec.of(list, FetchPolicy.DEFAULT);
	}

	NewJob newJob(String owner, JobSpec spec, String key) {
		return new NewJob(TestIds.next(this.t0), owner, spec, key, null, this.t0);
	}

	Job insert(String owner, JobSpec spec, String key) {
		return this.jobs.insert(newJob(owner, spec, key)).block(TIMEOUT);
	}

	List<ClaimedJob> claim(String node, int max) {
		return this.queue.claim(node, max, this.t0, this.t0.plus(LEASE)).collectList().block(TIMEOUT);
	}

	Job find(Job job) {
		return this.jobs.find(job.owner(), job.id()).block(TIMEOUT);
	}

	static JobResult withBody(JobResult r, String body) {
		return new JobResult(r.jobId(), r.index(), r.method(), r.url(), r.outcome(), r.httpStatus(), r.attempts(),
				r.startedAt(), r.duration(), body, body.length(), r.extracted(), r.error());
	}

	JobResult result(UUID jobId, int index, OutcomeKind outcome) {
		return new JobResult(jobId, index, "GET", URI.create("http://127.0.0.1:1/r/" + index), outcome,
				(outcome == OutcomeKind.SUCCEEDED) ? 200 : null, 1, this.t0, Duration.ofMillis(5), "body " + index, 6,
				Map.of(), outcome.isSuccess() ? null : new FetchError(ErrorKind.INTERNAL, outcome.name()));
	}

}
