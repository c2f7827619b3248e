package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.SettableClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ticker on the embedded database, driven by a settable clock and its {@code tick()} hook: when
 * schedules fire, across daylight saving time changes, after downtime, paused and with jitter. No
 * worker runs: launched jobs stay queued, which is all these tests look at.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleTickerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final AtomicInteger launches = new AtomicInteger();

	private SettableClock clock;

	private JobRepository jobStore;

	private DefaultScheduleService schedules;

	private ScheduleTicker ticker;

	@BeforeAll
	void createTicker() {
		this.clock = fixture.clock();
		this.jobStore = fixture.jobs();
		SchedulerProperties properties = TestProperties.fast("max-queued-jobs", "10000");
		this.schedules = fixture.scheduleService(properties, this.launches::incrementAndGet);
		this.ticker = fixture.ticker(properties, this.launches::incrementAndGet);
	}

	@BeforeEach
	void resetTheClock() {
		this.clock.set(Instant.parse("2030-01-01T00:00:00Z"));
	}

	@Test
	void aDueScheduleFiresOncePerFireTime() {
		Schedule schedule = create(ScheduleSpec.of("prices", ScheduleTrigger.fixedRate(Duration.ofSeconds(10)),
				template()).withOverlap(OverlapPolicy.ALLOW));
		assertThat(schedule.nextFireAt()).isEqualTo("2030-01-01T00:00:10Z");
		int launchesBefore = this.launches.get();

		this.clock.advance(Duration.ofSeconds(9));
		assertThat(tick()).isZero();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(tick()).isOne();
		assertThat(tick()).as("the same fire time again").isZero();
		this.clock.advance(Duration.ofMillis(10_300));
		assertThat(tick()).isOne();

		List<Job> jobs = jobs(schedule);
		assertThat(jobs).hasSize(2).allSatisfy((job) -> {
			assertThat(job.scheduleId()).isEqualTo(schedule.id());
			assertThat(job.owner()).isEqualTo("alice");
			assertThat(job.name()).isEqualTo("prices");
		});
		Schedule fired = get(schedule);
		assertThat(fired.nextFireAt()).as("on the grid, however late the tick").isEqualTo("2030-01-01T00:00:30Z");
		assertThat(fired.lastFiredAt()).isEqualTo("2030-01-01T00:00:20.300Z");
		assertThat(fired.lastJobId()).isEqualTo(jobs.get(0).id());
		assertThat(fired.missedCount()).isZero();
		assertThat(this.launches.get() - launchesBefore).as("a local worker is woken per launch").isEqualTo(2);
	}

	@Test
	void aCronScheduleFiresOnceOnTheNightClocksGoBackAndNotOnTheNightTheyGoForward() {
		ScheduleSpec nightly = ScheduleSpec.of("nightly", ScheduleTrigger.cron("0 30 2 * * *", PARIS), template())
			.withOverlap(OverlapPolicy.ALLOW);

		// 2030-10-27: 02:30 happens twice in Paris (00:30 and 01:30 UTC); it fires the first time only.
		this.clock.set(Instant.parse("2030-10-25T12:00:00Z"));
		Schedule autumn = create(nightly);
		List<Instant> autumnFires = tickEvery(Duration.ofMinutes(15), Instant.parse("2030-10-29T12:00:00Z"));
		assertThat(autumnFires).containsExactly(Instant.parse("2030-10-26T00:30:00Z"),
				Instant.parse("2030-10-27T00:30:00Z"), Instant.parse("2030-10-28T01:30:00Z"),
				Instant.parse("2030-10-29T01:30:00Z"));
		assertThat(jobs(autumn)).hasSize(4);
		assertThat(get(autumn).missedCount()).isZero();

		// 2030-03-31: 02:30 does not exist in Paris; that night nothing fires.
		this.clock.set(Instant.parse("2030-03-29T12:00:00Z"));
		Schedule spring = create(nightly.withName("spring"));
		List<Instant> springFires = tickEvery(Duration.ofMinutes(15), Instant.parse("2030-04-02T12:00:00Z"));
		assertThat(springFires).containsExactly(Instant.parse("2030-03-30T01:30:00Z"),
				Instant.parse("2030-04-01T00:30:00Z"), Instant.parse("2030-04-02T00:30:00Z"));
		assertThat(jobs(spring)).hasSize(3);
		assertThat(get(spring).missedCount()).isZero();
	}

	@Test
	void afterDowntimeALateScheduleFiresOnceAndCountsTheFireTimesItMissed() {
		Schedule minutely = create(ScheduleSpec.of("minutely", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)),
				template()));
		Schedule hourly = create(ScheduleSpec.of("hourly", ScheduleTrigger.cron("0 0 * * * *", PARIS), template())
			.withOverlap(OverlapPolicy.ALLOW));

		// Every instance was down from 00:00 to 05:10:30.
		this.clock.set(Instant.parse("2030-01-01T05:10:30Z"));
		assertThat(tick()).isEqualTo(2);
		assertThat(tick()).isZero();

		assertThat(jobs(minutely)).hasSize(1);
		Schedule lateMinutely = get(minutely);
		// Due 00:01; 00:02 … 05:10 passed as well. The grid goes on.
		assertThat(lateMinutely.missedCount()).isEqualTo(309);
		assertThat(lateMinutely.nextFireAt()).isEqualTo("2030-01-01T05:11:00Z");
		assertThat(jobs(hourly)).hasSize(1);
		Schedule lateHourly = get(hourly);
		// Due 02:00 Paris (01:00 UTC); 03:00 … 06:00 Paris passed as well.
		assertThat(lateHourly.missedCount()).isEqualTo(4);
		assertThat(lateHourly.nextFireAt()).isEqualTo("2030-01-01T06:00:00Z");

		// Back on time, the hourly schedule misses nothing more; the minutely one, late again, skips:
		// its job is still queued.
		this.clock.set(Instant.parse("2030-01-01T06:00:00Z"));
		assertThat(tick()).isOne();
		assertThat(jobs(hourly)).hasSize(2);
		assertThat(get(hourly).missedCount()).isEqualTo(4);
		assertThat(jobs(minutely)).hasSize(1);
		assertThat(get(minutely).missedCount()).isEqualTo(309 + 49);
		assertThat(get(minutely).skippedCount()).isEqualTo(1);
	}

	@Test
	void aPausedScheduleDoesNotFireAndResumesFromNowWithoutMissing() {
		Schedule schedule = create(ScheduleSpec.of("prices", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)),
				template()));
		Schedule paused = this.schedules.pause("alice", schedule.id()).block(TIMEOUT);
		assertThat(paused.enabled()).isFalse();
		assertThat(paused.nextFireAt()).isNull();

		this.clock.advance(Duration.ofMinutes(30).plusSeconds(20));
		assertThat(tick()).isZero();
		Schedule resumed = this.schedules.resume("alice", schedule.id()).block(TIMEOUT);
		assertThat(resumed.enabled()).isTrue();
		assertThat(resumed.nextFireAt()).isEqualTo("2030-01-01T00:31:20Z");

		this.clock.advance(Duration.ofMinutes(1));
		assertThat(tick()).isOne();
		assertThat(get(schedule).missedCount()).isZero();
	}

	@Test
	void jitterDelaysEachFireByAtMostItsBoundOnTheTriggersGrid() {
		Schedule schedule = create(ScheduleSpec.of("prices", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)),
				template()).withOverlap(OverlapPolicy.ALLOW).withJitter(Duration.ofSeconds(20)));
		Instant nominal = Instant.parse("2030-01-01T00:01:00Z");
		for (int i = 0; i < 5; i++) {
			Instant next = get(schedule).nextFireAt();
			assertThat(next).isBetween(nominal, nominal.plusSeconds(20));
			this.clock.set(next);
			assertThat(tick()).isOne();
			nominal = nominal.plusSeconds(60);
		}
		assertThat(get(schedule).missedCount()).isZero();
	}

	private Schedule create(ScheduleSpec spec) {
		return this.schedules.create("alice", spec).block(TIMEOUT);
	}

	private Schedule get(Schedule schedule) {
		return this.schedules.get("alice", schedule.id()).block(TIMEOUT);
	}

	private int tick() {
		return this.ticker.tick().block(TIMEOUT);
	}

	/** Moves the clock by {@code step} up to {@code end}, ticking each time: the clock times that launched. */
	private List<Instant> tickEvery(Duration step, Instant end) {
		List<Instant> fires = new ArrayList<>();
		while (this.clock.instant().isBefore(end)) {
			this.clock.advance(step);
			if (tick() > 0) {
				fires.add(this.clock.instant());
			}
		}
		return fires;
	}

	private List<Job> jobs(Schedule schedule) {
		return this.jobStore.list("alice", JobQuery.all().withScheduleId(schedule.id())).block(TIMEOUT).items();
	}

	private static JobSpec template() {
		return JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1/prices")), FetchPolicy.DEFAULT);
	}

}
