package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.jobs.QueueLimit;
import io.fanout.scheduler.jobs.R2dbcJobQueue;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.r2dbc.Database;
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

/**
 * What the {@link ScheduleStore} and {@link ScheduleFiring} must do together, run against each
 * supported database by a subclass: scoped definitions, the claim that lets one fire through,
 * overlap policies, the queue bound, and the upsert of declared schedules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScheduleStoreContractTests {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final int MAX_QUEUED = 1000;

	final Instant t0 = Instant.parse("2030-01-01T00:00:00Z");

	@RegisterExtension
	final SchedulerFixture fixture = createFixture();

	TestDatabase database;

	Database db;

	R2dbcJobRepository jobs;

	R2dbcJobQueue queue;

	R2dbcScheduleStore store;

	ScheduleFiring firing;

	/** Fires into a queue that has no room. */
	ScheduleFiring fullQueueFiring;

	abstract SchedulerFixture createFixture();

	@BeforeAll
	void useTheFixture() {
		this.database = this.fixture.database();
		this.db = this.fixture.db();
		this.jobs = this.fixture.jobs();
		this.queue = this.fixture.queue();
		this.store = this.fixture.schedules();
		this.firing = new ScheduleFiring(this.db, this.store, this.jobs,
				new QueueLimit(this.jobs, MAX_QUEUED, Duration.ofSeconds(5)));
		this.fullQueueFiring = new ScheduleFiring(this.db, this.store, this.jobs,
				new QueueLimit(this.jobs, 0, Duration.ofSeconds(5)));
	}

	// Definitions

	@Test
	void insertedScheduleIsFoundByItsOwnerOnlyWithEveryField() {
		JobSpec template = template("/a").withName("job name").withLabels(Map.of("team", "weather")).withPriority(3);
		ScheduleSpec spec = new ScheduleSpec("nightly", ScheduleTrigger.cron("0 30 2 * * *", ZoneId.of("Europe/Paris")),
				template, OverlapPolicy.CANCEL_PREVIOUS, true, Duration.ofSeconds(30));
		FireTime first = new FireTime(Instant.parse("2030-01-02T01:30:00Z"), Instant.parse("2030-01-02T01:30:12Z"));
		StoredSchedule stored = insert("alice", spec, first);

		Schedule schedule = stored.schedule();
		assertThat(schedule.spec()).isEqualTo(spec);
		assertThat(schedule.template().requests().get(0).headers()).containsEntry("Authorization", "Bearer s3cret");
		assertThat(schedule.owner()).isEqualTo("alice");
		assertThat(schedule.nextFireAt()).isEqualTo(first.at());
		assertThat(stored.nominalFireAt()).isEqualTo(first.nominal());
		assertThat(schedule.lastFiredAt()).isNull();
		assertThat(schedule.lastJobId()).isNull();
		assertThat(schedule.missedCount()).isZero();
		assertThat(schedule.skippedCount()).isZero();
		assertThat(schedule.declared()).isFalse();
		assertThat(schedule.createdAt()).isEqualTo(this.t0);
		StepVerifier.create(this.store.find("alice", schedule.id()))
			.assertNext((found) -> assertThat(found).isEqualTo(stored))
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(this.store.find("mallory", schedule.id())).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.store.findByName("alice", "nightly"))
			.assertNext((found) -> assertThat(found.schedule().id()).isEqualTo(schedule.id()))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void aNameIsUniquePerOwner() {
		StoredSchedule first = insert("alice", spec("prices"), null);
		StepVerifier.create(this.store.insert(newSchedule("alice", spec("prices"), null)))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(ScheduleNameConflictException.class)
				.satisfies((conflict) -> assertThat(((ScheduleNameConflictException) conflict).existingScheduleId())
					.isEqualTo(first.schedule().id())))
			.verify(TIMEOUT);
		insert("bob", spec("prices"), null);
		StoredSchedule other = insert("alice", spec("other"), null);
		StepVerifier.create(this.store.replace("alice", other.schedule().id(), other.version(), spec("prices"), null,
				null, this.t0))
			.expectError(ScheduleNameConflictException.class)
			.verify(TIMEOUT);
	}

	@Test
	void listsNewestFirstWithCursorPaging() {
		for (int i = 0; i < 5; i++) {
			insert("alice", spec("s" + i), null);
		}
		insert("bob", spec("s0"), null);
		SchedulePage first = this.store.list("alice", new ScheduleQuery(null, 2)).block(TIMEOUT);
		SchedulePage second = this.store.list("alice", new ScheduleQuery(first.nextCursor(), 2)).block(TIMEOUT);
		SchedulePage last = this.store.list("alice", new ScheduleQuery(second.nextCursor(), 2)).block(TIMEOUT);
		assertThat(first.items()).extracting(Schedule::name).containsExactly("s4", "s3");
		assertThat(second.items()).extracting(Schedule::name).containsExactly("s2", "s1");
		assertThat(last.items()).extracting(Schedule::name).containsExactly("s0");
		assertThat(last.nextCursor()).isNull();
	}

	@Test
	void replaceNamesTheVersionItReplaces() {
		StoredSchedule stored = insert("alice", spec("prices"), FireTime.at(this.t0.plusSeconds(60)));
		ScheduleSpec paused = spec("prices").withEnabled(false);
		StoredSchedule replaced = this.store
			.replace("alice", stored.schedule().id(), stored.version(), paused, null, null, this.t0.plusSeconds(5))
			.block(TIMEOUT);
		assertThat(replaced.version()).isEqualTo(stored.version() + 1);
		assertThat(replaced.schedule().enabled()).isFalse();
		assertThat(replaced.schedule().nextFireAt()).isNull();
		assertThat(replaced.schedule().updatedAt()).isEqualTo(this.t0.plusSeconds(5));
		// A change based on what was read before is refused: the caller reads again.
		StepVerifier.create(this.store.replace("alice", stored.schedule().id(), stored.version(), spec("prices"), null,
				null, this.t0))
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(this.store.replace("bob", stored.schedule().id(), replaced.version(), spec("prices"), null,
				null, this.t0))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void deleteRemovesTheOwnersScheduleOnly() {
		StoredSchedule stored = insert("alice", spec("prices"), null);
		StepVerifier.create(this.store.delete("bob", stored.schedule().id())).expectNext(false).verifyComplete();
		StepVerifier.create(this.store.delete("alice", stored.schedule().id())).expectNext(true).verifyComplete();
		StepVerifier.create(this.store.find("alice", stored.schedule().id())).verifyComplete();
	}

	// Firing

	@Test
	void findsDueSchedulesEarliestFirst() {
		StoredSchedule later = insert("alice", spec("later"), FireTime.at(this.t0.plusSeconds(2)));
		StoredSchedule earlier = insert("bob", spec("earlier"), new FireTime(this.t0, this.t0.plusSeconds(1)));
		insert("alice", spec("future"), FireTime.at(this.t0.plusSeconds(60)));
		insert("alice", spec("paused").withEnabled(false), null);
		List<DueSchedule> due = this.store.findDue(this.t0.plusSeconds(2), 10).collectList().block(TIMEOUT);
		assertThat(due).extracting(DueSchedule::id).containsExactly(earlier.schedule().id(), later.schedule().id());
		assertThat(due.get(0).due()).isEqualTo(this.t0.plusSeconds(1));
		assertThat(due.get(0).nominal()).isEqualTo(this.t0);
		assertThat(due.get(0).trigger()).isEqualTo(ScheduleTrigger.fixedRate(Duration.ofMinutes(1)));
	}

	@Test
	void aFireMovesTheScheduleOnAndLaunchesItsJobWithItsId() {
		StoredSchedule stored = insert("alice", spec("prices"), FireTime.at(this.t0));
		DueSchedule due = due();
		FireTime next = FireTime.at(this.t0.plusSeconds(60));
		UUID jobId = TestIds.next(this.t0);
		FireResult result = this.firing.fire(due, next, 2, jobId, this.t0.plusMillis(300)).block(TIMEOUT);

		assertThat(result.outcome()).isEqualTo(FireResult.Outcome.LAUNCHED);
		Job job = result.job();
		assertThat(job.id()).isEqualTo(jobId);
		assertThat(job.owner()).isEqualTo("alice");
		assertThat(job.scheduleId()).isEqualTo(stored.schedule().id());
		assertThat(job.name()).as("a template without a name gives the job the schedule's").isEqualTo("prices");
		assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(this.jobs.findSpec("alice", jobId).block(TIMEOUT).requests())
			.isEqualTo(stored.schedule().template().requests());
		assertThat(this.jobs.list("alice", JobQuery.all().withScheduleId(stored.schedule().id())).block(TIMEOUT)
			.items()).extracting(Job::id).containsExactly(jobId);
		Schedule fired = find(stored).schedule();
		assertThat(fired.nextFireAt()).isEqualTo(next.at());
		assertThat(fired.lastFiredAt()).isEqualTo(this.t0.plusMillis(300));
		assertThat(fired.lastJobId()).isEqualTo(jobId);
		assertThat(fired.lastJobStatus()).as("the store knows schedules only").isNull();
		assertThat(this.jobs.statuses(List.of(jobId)).block(TIMEOUT)).containsEntry(jobId, JobStatus.QUEUED);
		assertThat(fired.missedCount()).isEqualTo(2);
		assertThat(fired.skippedCount()).isZero();

		// The same fire time, fired again (by another replica that read it before), claims nothing.
		FireResult again = this.firing.fire(due, next, 0, TestIds.next(this.t0), this.t0.plusMillis(400))
			.block(TIMEOUT);
		assertThat(again.outcome()).isEqualTo(FireResult.Outcome.NOT_CLAIMED);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isEqualTo(1);
	}

	@Test
	void concurrentFiresOfOneFireTimeLaunchOneJob() {
		insert("alice", spec("prices").withOverlap(OverlapPolicy.ALLOW), FireTime.at(this.t0));
		DueSchedule due = due();
		List<FireResult> results = Flux.range(0, 8)
			.flatMap((i) -> this.firing.fire(due, FireTime.at(this.t0.plusSeconds(60)), 0, TestIds.next(this.t0), this.t0)
				.subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(TIMEOUT);
		assertThat(results).extracting(FireResult::outcome)
			.containsOnlyOnce(FireResult.Outcome.LAUNCHED)
			.containsOnly(FireResult.Outcome.LAUNCHED, FireResult.Outcome.NOT_CLAIMED);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isEqualTo(1);
	}

	@Test
	void aFireOfAChangedDefinitionClaimsNothing() {
		StoredSchedule stored = insert("alice", spec("prices"), FireTime.at(this.t0));
		DueSchedule due = due();
		this.store.replace("alice", stored.schedule().id(), stored.version(), spec("prices"), FireTime.at(this.t0), null,
				this.t0).block(TIMEOUT);
		assertThat(fire(due).outcome()).isEqualTo(FireResult.Outcome.NOT_CLAIMED);
		assertThat(due().version()).isEqualTo(stored.version() + 1);
	}

	@Test
	void skipPolicyLaunchesNothingWhileTheLastJobIsGoing() {
		StoredSchedule stored = insert("alice", spec("prices"), FireTime.at(this.t0));
		Job first = fire(due()).job();
		FireResult skipped = fire(due());
		assertThat(skipped.outcome()).isEqualTo(FireResult.Outcome.SKIPPED_OVERLAP);
		assertThat(skipped.previousJobId()).isEqualTo(first.id());
		assertThat(skipped.previousStatus()).isEqualTo(JobStatus.QUEUED);
		assertThat(find(stored).schedule().skippedCount()).isEqualTo(1);
		assertThat(find(stored).schedule().lastJobId()).isEqualTo(first.id());

		this.jobs.cancelQueued(first.id(), this.t0).block(TIMEOUT);
		FireResult launched = fire(due());
		assertThat(launched.outcome()).isEqualTo(FireResult.Outcome.LAUNCHED);
		assertThat(launched.previousJobId()).as("the previous job had finished").isNull();
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isEqualTo(2);
	}

	@Test
	void allowPolicyLaunchesAlongsideTheLastJob() {
		insert("alice", spec("prices").withOverlap(OverlapPolicy.ALLOW), FireTime.at(this.t0));
		Job first = fire(due()).job();
		FireResult second = fire(due());
		assertThat(second.outcome()).isEqualTo(FireResult.Outcome.LAUNCHED);
		assertThat(second.previousJobId()).isEqualTo(first.id());
		assertThat(second.previousCancelled()).isFalse();
		assertThat(this.jobs.find("alice", first.id()).block(TIMEOUT).cancelRequested()).isFalse();
	}

	@Test
	void cancelPreviousPolicyFlagsTheLastJobAndLaunches() {
		insert("alice", spec("prices").withOverlap(OverlapPolicy.CANCEL_PREVIOUS), FireTime.at(this.t0));
		Job first = fire(due()).job();
		this.queue.claim("node-a", 1, this.t0, this.t0.plusSeconds(30)).blockLast(TIMEOUT);
		FireResult second = fire(due());
		assertThat(second.outcome()).isEqualTo(FireResult.Outcome.LAUNCHED);
		assertThat(second.previousJobId()).isEqualTo(first.id());
		assertThat(second.previousStatus()).isEqualTo(JobStatus.RUNNING);
		assertThat(second.previousCancelled()).isTrue();
		assertThat(this.jobs.find("alice", first.id()).block(TIMEOUT).cancelRequested()).isTrue();
	}

	@Test
	void aFullQueueSkipsTheFire() {
		StoredSchedule stored = insert("alice", spec("prices").withOverlap(OverlapPolicy.ALLOW), FireTime.at(this.t0));
		FireResult full = this.fullQueueFiring.fire(due(), FireTime.at(this.t0.plusSeconds(60)), 0,
				TestIds.next(this.t0), this.t0).block(TIMEOUT);
		assertThat(full.outcome()).isEqualTo(FireResult.Outcome.SKIPPED_QUEUE_FULL);
		assertThat(find(stored).schedule().skippedCount()).isEqualTo(1);
		assertThat(find(stored).schedule().nextFireAt()).isEqualTo(this.t0.plusSeconds(60));
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isZero();
	}

	@Test
	void fireNowLaunchesWithoutMovingTheNextFire() {
		StoredSchedule stored = insert("alice", spec("prices").withEnabled(false), null);
		FireResult result = this.firing.fireNow("alice", stored.schedule().id(), TestIds.next(this.t0), this.t0)
			.block(TIMEOUT);
		assertThat(result.outcome()).isEqualTo(FireResult.Outcome.LAUNCHED);
		assertThat(find(stored).schedule().nextFireAt()).isNull();
		assertThat(find(stored).schedule().lastJobId()).isEqualTo(result.job().id());
		assertThat(this.firing.fireNow("alice", stored.schedule().id(), TestIds.next(this.t0), this.t0)
			.block(TIMEOUT)
			.outcome()).isEqualTo(FireResult.Outcome.SKIPPED_OVERLAP);
		assertThat(this.firing.fireNow("bob", stored.schedule().id(), TestIds.next(this.t0), this.t0)
			.block(TIMEOUT)
			.outcome()).isEqualTo(FireResult.Outcome.NOT_FOUND);
	}

	// Declared schedules

	@Test
	void aDeclaredScheduleIsCreatedOnceAndReplacedWhenItsDeclarationChanges() {
		ScheduleSpec declared = spec("prices");
		ScheduleStore.Upserted created = upsert(declared, this.t0);
		assertThat(created.changed()).isTrue();
		assertThat(created.schedule().schedule().declared()).isTrue();

		ScheduleStore.Upserted unchanged = upsert(declared, this.t0.plusSeconds(10));
		assertThat(unchanged.changed()).isFalse();
		assertThat(unchanged.schedule()).isEqualTo(created.schedule());

		ScheduleStore.Upserted replaced = upsert(declared.withOverlap(OverlapPolicy.ALLOW), this.t0.plusSeconds(20));
		assertThat(replaced.changed()).isTrue();
		assertThat(replaced.schedule().schedule().id()).isEqualTo(created.schedule().schedule().id());
		assertThat(replaced.schedule().schedule().overlap()).isEqualTo(OverlapPolicy.ALLOW);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM schedules")).isEqualTo(1);
	}

	@Test
	void aChangeThroughTheApiSurvivesUntilTheDeclarationChanges() {
		ScheduleSpec declared = spec("prices");
		StoredSchedule created = upsert(declared, this.t0).schedule();
		StoredSchedule paused = this.store.replace("alice", created.schedule().id(), created.version(),
				declared.withEnabled(false), null, null, this.t0).block(TIMEOUT);
		assertThat(paused.schedule().declared()).isTrue();
		assertThat(upsert(declared, this.t0.plusSeconds(10)).changed()).isFalse();
		assertThat(find(created).schedule().enabled()).isFalse();
	}

	@Test
	void replicasUpsertingTheSameDeclarationAtOnceCreateOneSchedule() {
		ScheduleSpec declared = spec("prices");
		List<ScheduleStore.Upserted> results = Flux.range(0, 8)
			.flatMap((i) -> this.store.upsertDeclared(newSchedule("alice", declared, FireTime.at(this.t0)))
				.subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(TIMEOUT);
		assertThat(results).filteredOn(ScheduleStore.Upserted::changed).hasSize(1);
		assertThat(results).extracting((upserted) -> upserted.schedule().schedule().id()).containsOnly(
				results.get(0).schedule().schedule().id());
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM schedules")).isEqualTo(1);
	}

	// Helpers

	JobSpec template(String path) {
		FetchRequest request = new FetchRequest(FetchRequest.parseUrl("http://127.0.0.1:1" + path), "GET",
				Map.of("Authorization", "Bearer s3cret"), null, Map.of("price", "$.price"));
		return JobSpec.of(List.of(request), FetchPolicy.DEFAULT.withConcurrency(2));
	}

	ScheduleSpec spec(String name) {
		return ScheduleSpec.of(name, ScheduleTrigger.fixedRate(Duration.ofMinutes(1)), template("/" + name));
	}

	NewSchedule newSchedule(String owner, ScheduleSpec spec, FireTime next) {
		return new NewSchedule(TestIds.next(this.t0), owner, spec, next, this.t0);
	}

	StoredSchedule insert(String owner, ScheduleSpec spec, FireTime next) {
		return this.store.insert(newSchedule(owner, spec, next)).block(TIMEOUT);
	}

	StoredSchedule find(StoredSchedule stored) {
		return this.store.find(stored.schedule().owner(), stored.schedule().id()).block(TIMEOUT);
	}

	ScheduleStore.Upserted upsert(ScheduleSpec spec, Instant now) {
		return this.store.upsertDeclared(new NewSchedule(TestIds.next(now), "alice", spec, FireTime.at(now.plusSeconds(60)),
				now)).block(TIMEOUT);
	}

	/** The one due schedule, at the end of time. */
	DueSchedule due() {
		return this.store.findDue(Instant.parse("2100-01-01T00:00:00Z"), 10).single().block(TIMEOUT);
	}

	/** Fires the due schedule now and leaves it due (its next fire at t0 again). */
	FireResult fire(DueSchedule due) {
		return this.firing.fire(due, FireTime.at(this.t0), 0, TestIds.next(this.t0), this.t0)
			.block(TIMEOUT);
	}

}
