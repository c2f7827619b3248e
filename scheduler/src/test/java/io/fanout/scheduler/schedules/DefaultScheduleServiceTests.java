package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.SettableClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schedule service on a real (embedded) store, with a settable clock: creating, changing,
 * pausing, resuming, deleting and triggering, scoped to the owner.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DefaultScheduleServiceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final AtomicInteger launches = new AtomicInteger();

	private SettableClock clock;

	private JobRepository jobStore;

	private DefaultScheduleService service;

	@BeforeAll
	void createService() {
		this.clock = fixture.clock();
		this.jobStore = fixture.jobs();
		this.service = fixture.scheduleService(
				TestProperties.fast("max-queued-jobs", "3", "max-requests-per-job", "5", "min-fixed-rate", "10s"),
				this.launches::incrementAndGet);
	}

	@BeforeEach
	void resetTheClock() {
		this.clock.set(Instant.parse("2030-01-01T00:00:00Z"));
	}

	@Test
	void createdScheduleFirstFiresAtItsTriggersFirstTimeAfterNow() {
		Schedule rate = create(spec("rate"));
		assertThat(rate.enabled()).isTrue();
		assertThat(rate.nextFireAt()).isEqualTo("2030-01-01T00:01:00Z");
		assertThat(rate.createdAt()).isEqualTo(this.clock.instant());
		Schedule cron = create(spec("cron").withTrigger(ScheduleTrigger.cron("0 0 9 * * *", ZoneId.of("Asia/Tokyo"))));
		// Now is 09:00 in Tokyo: the first fire is strictly after now, the next day.
		assertThat(cron.nextFireAt()).isEqualTo("2030-01-02T00:00:00Z");
		Schedule paused = create(spec("paused").withEnabled(false));
		assertThat(paused.nextFireAt()).isNull();
	}

	@Test
	void schedulesAreTheirOwnersOnly() {
		Schedule schedule = create(spec("prices"));
		StepVerifier.create(this.service.get("bob", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.update("bob", schedule.id(), spec("x"))).expectError(
				ScheduleNotFoundException.class).verify(TIMEOUT);
		StepVerifier.create(this.service.pause("bob", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.resume("bob", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.trigger("bob", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		StepVerifier.create(this.service.delete("bob", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		assertThat(this.service.list("bob", ScheduleQuery.first()).block(TIMEOUT).items()).isEmpty();
		SchedulePage page = this.service.list("alice", ScheduleQuery.first()).block(TIMEOUT);
		assertThat(page.items()).extracting(Schedule::id).containsExactly(schedule.id());
	}

	@Test
	void refusesWhatConfigurationDoesNotAllowNamingTheField() {
		assertInvalid(spec("fast").withTrigger(ScheduleTrigger.fixedRate(Duration.ofSeconds(9))), "trigger.fixedRate");
		assertInvalid(spec("never").withTrigger(ScheduleTrigger.cron("0 0 0 30 2 *")), "trigger.cron");
		JobSpec six = JobSpec.of(IntStream.range(0, 6).mapToObj((i) -> FetchRequest.get("http://127.0.0.1:1/" + i))
			.toList(), FetchPolicy.DEFAULT);
		assertInvalid(spec("big").withTemplate(six), "template.requests");
		Schedule schedule = create(spec("prices"));
		StepVerifier.create(this.service.update("alice", schedule.id(),
				spec("prices").withTrigger(ScheduleTrigger.fixedRate(Duration.ofSeconds(1)))))
			.expectErrorSatisfies((ex) -> assertThat(((InvalidScheduleException) ex).field()).isEqualTo("trigger.fixedRate"))
			.verify(TIMEOUT);
		StepVerifier.create(this.service.create("alice", spec("prices"))).expectError(ScheduleNameConflictException.class)
			.verify(TIMEOUT);
	}

	@Test
	void updateKeepsTheNextFireUnlessWhatDecidesItChanged() {
		Schedule schedule = create(spec("prices"));
		this.clock.advance(Duration.ofSeconds(30));
		Schedule renamed = this.service.update("alice", schedule.id(),
				spec("renamed").withTemplate(template("/other")).withOverlap(OverlapPolicy.ALLOW)).block(TIMEOUT);
		assertThat(renamed.name()).isEqualTo("renamed");
		assertThat(renamed.overlap()).isEqualTo(OverlapPolicy.ALLOW);
		assertThat(renamed.template().requests().get(0).url()).hasPath("/other");
		assertThat(renamed.nextFireAt()).isEqualTo(schedule.nextFireAt());
		assertThat(renamed.updatedAt()).isEqualTo(this.clock.instant());

		Schedule retimed = this.service.update("alice", schedule.id(),
				spec("renamed").withTrigger(ScheduleTrigger.fixedRate(Duration.ofMinutes(5)))).block(TIMEOUT);
		assertThat(retimed.nextFireAt()).isEqualTo("2030-01-01T00:05:30Z");
		assertThat(this.service.update("alice", schedule.id(), retimed.spec().withEnabled(false)).block(TIMEOUT)
			.nextFireAt()).isNull();
	}

	@Test
	void pauseAndResumeAreIdempotent() {
		Schedule schedule = create(spec("prices"));
		Schedule paused = this.service.pause("alice", schedule.id()).block(TIMEOUT);
		assertThat(this.service.pause("alice", schedule.id()).block(TIMEOUT)).isEqualTo(paused);
		this.clock.advance(Duration.ofSeconds(10));
		Schedule resumed = this.service.resume("alice", schedule.id()).block(TIMEOUT);
		assertThat(resumed.nextFireAt()).isEqualTo("2030-01-01T00:01:10Z");
		assertThat(this.service.resume("alice", schedule.id()).block(TIMEOUT)).isEqualTo(resumed);
	}

	@Test
	void triggerLaunchesNowEvenWhenPausedAndHonoursTheOverlapPolicy() {
		Schedule schedule = create(spec("prices").withEnabled(false));
		int launchesBefore = this.launches.get();
		Job job = this.service.trigger("alice", schedule.id()).block(TIMEOUT);
		assertThat(job.scheduleId()).isEqualTo(schedule.id());
		assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
		assertThat(this.launches.get()).isEqualTo(launchesBefore + 1);

		// SKIP: the job is still queued.
		StepVerifier.create(this.service.trigger("alice", schedule.id()))
			.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(ScheduleOverlapException.class);
				assertThat(((ScheduleOverlapException) ex).jobId()).isEqualTo(job.id());
				assertThat(((ScheduleOverlapException) ex).jobStatus()).isEqualTo(JobStatus.QUEUED);
			})
			.verify(TIMEOUT);
		Schedule skipped = this.service.get("alice", schedule.id()).block(TIMEOUT);
		assertThat(skipped.skippedCount()).isEqualTo(1);
		assertThat(skipped.lastJobId()).isEqualTo(job.id());
		assertThat(skipped.nextFireAt()).isNull();

		// CANCEL_PREVIOUS: the queued job is cancelled at once, and the new one launched.
		this.service.update("alice", schedule.id(), skipped.spec().withOverlap(OverlapPolicy.CANCEL_PREVIOUS))
			.block(TIMEOUT);
		Job next = this.service.trigger("alice", schedule.id()).block(TIMEOUT);
		assertThat(next.id()).isNotEqualTo(job.id());
		assertThat(this.jobStore.find("alice", job.id()).block(TIMEOUT).status()).isEqualTo(JobStatus.CANCELLED);
		Schedule last = this.service.get("alice", schedule.id()).block(TIMEOUT);
		assertThat(last.lastJobId()).isEqualTo(next.id());
		assertThat(last.lastJobStatus()).isEqualTo(JobStatus.QUEUED);
	}

	@Test
	void triggerRespectsTheQueueBound() {
		Schedule schedule = create(spec("prices").withOverlap(OverlapPolicy.ALLOW));
		for (int i = 0; i < 3; i++) {
			this.service.trigger("alice", schedule.id()).block(TIMEOUT);
		}
		StepVerifier.create(this.service.trigger("alice", schedule.id())).expectError(QueueFullException.class)
			.verify(TIMEOUT);
		assertThat(this.service.get("alice", schedule.id()).block(TIMEOUT).skippedCount()).isEqualTo(1);
	}

	@Test
	void deleteRemovesTheScheduleAndLeavesItsJobs() {
		Schedule schedule = create(spec("prices"));
		Job job = this.service.trigger("alice", schedule.id()).block(TIMEOUT);
		StepVerifier.create(this.service.delete("alice", schedule.id())).expectComplete().verify(TIMEOUT);
		StepVerifier.create(this.service.get("alice", schedule.id())).expectError(ScheduleNotFoundException.class)
			.verify(TIMEOUT);
		assertThat(this.jobStore.find("alice", job.id()).block(TIMEOUT).scheduleId()).isEqualTo(schedule.id());
	}

	private Schedule create(ScheduleSpec spec) {
		return this.service.create("alice", spec).block(TIMEOUT);
	}

	private void assertInvalid(ScheduleSpec spec, String field) {
		StepVerifier.create(this.service.create("alice", spec))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(InvalidScheduleException.class)
				.extracting((invalid) -> ((InvalidScheduleException) invalid).field())
				.isEqualTo(field))
			.verify(TIMEOUT);
	}

	private static ScheduleSpec spec(String name) {
		return ScheduleSpec.of(name, ScheduleTrigger.fixedRate(Duration.ofMinutes(1)), template("/" + name));
	}

	private static JobSpec template(String path) {
		return JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1" + path)), FetchPolicy.DEFAULT)
			.withLabels(Map.of("team", "prices"));
	}

}
