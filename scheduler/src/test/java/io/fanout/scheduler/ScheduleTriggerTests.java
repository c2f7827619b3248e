package io.fanout.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Next fire times of cron and fixed-rate triggers, in time zones and across daylight saving time
 * changes, and how a late fire catches up. Pure computation on given instants: no clock, no sleep.
 */
class ScheduleTriggerTests {

	private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

	private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

	@Test
	void cronFiresAtItsNextTimeInUtcByDefault() {
		ScheduleTrigger.Cron every5Minutes = ScheduleTrigger.cron("0 */5 * * * *");
		assertThat(every5Minutes.zone()).isEqualTo(ScheduleTrigger.DEFAULT_ZONE);
		assertThat(every5Minutes.next(Instant.parse("2030-01-01T10:02:13Z"))).isEqualTo("2030-01-01T10:05:00Z");
		// Strictly after: a time that is a fire time gives the one after it.
		assertThat(every5Minutes.next(Instant.parse("2030-01-01T10:05:00Z"))).isEqualTo("2030-01-01T10:10:00Z");
		assertThat(ScheduleTrigger.cron("@daily").next(Instant.parse("2030-01-01T10:00:00Z")))
			.isEqualTo("2030-01-02T00:00:00Z");
	}

	@Test
	void cronIsReadOnTheWallClockOfItsZone() {
		Instant noonUtc = Instant.parse("2030-01-15T12:00:00Z");
		// 02:00 every night: 01:00 UTC in Paris (winter, +01:00), 07:00 UTC in New York (-05:00).
		assertThat(ScheduleTrigger.cron("0 0 2 * * *", PARIS).next(noonUtc)).isEqualTo("2030-01-16T01:00:00Z");
		assertThat(ScheduleTrigger.cron("0 0 2 * * *", NEW_YORK).next(noonUtc)).isEqualTo("2030-01-16T07:00:00Z");
		// In summer Paris is +02:00.
		assertThat(ScheduleTrigger.cron("0 0 2 * * *", PARIS).next(Instant.parse("2030-07-15T12:00:00Z")))
			.isEqualTo("2030-07-16T00:00:00Z");
		// Monday to Friday at 09:30 in Paris: Friday evening leads to Monday morning.
		assertThat(ScheduleTrigger.cron("0 30 9 * * MON-FRI", PARIS).next(Instant.parse("2030-01-18T18:00:00Z")))
			.isEqualTo("2030-01-21T08:30:00Z");
	}

	@Test
	void aTimeSkippedWhenClocksGoForwardDoesNotFire() {
		// Paris, 2030-03-31: at 02:00 clocks jump to 03:00; 02:30 does not exist that day.
		ScheduleTrigger.Cron nightly = ScheduleTrigger.cron("0 30 2 * * *", PARIS);
		assertThat(fires(nightly, Instant.parse("2030-03-29T12:00:00Z"), 3)).containsExactly(
				Instant.parse("2030-03-30T01:30:00Z"), Instant.parse("2030-04-01T00:30:00Z"),
				Instant.parse("2030-04-02T00:30:00Z"));
		// Hourly: 01:00 then 03:00, an hour apart in real time; no 02:00 is invented.
		ScheduleTrigger.Cron hourly = ScheduleTrigger.cron("0 0 * * * *", PARIS);
		assertThat(fires(hourly, Instant.parse("2030-03-30T23:30:00Z"), 3)).containsExactly(
				Instant.parse("2030-03-31T00:00:00Z"), Instant.parse("2030-03-31T01:00:00Z"),
				Instant.parse("2030-03-31T02:00:00Z"));
		assertThat(fires(hourly, Instant.parse("2030-03-30T23:30:00Z"), 3))
			.extracting((instant) -> instant.atZone(PARIS).getHour())
			.containsExactly(1, 3, 4);
	}

	@Test
	void aTimeRepeatedWhenClocksGoBackFiresOnce() {
		// Paris, 2030-10-27: at 03:00 clocks go back to 02:00; 02:00 to 03:00 happens twice.
		ScheduleTrigger.Cron nightly = ScheduleTrigger.cron("0 30 2 * * *", PARIS);
		assertThat(fires(nightly, Instant.parse("2030-10-26T12:00:00Z"), 3)).containsExactly(
				Instant.parse("2030-10-27T00:30:00Z"), Instant.parse("2030-10-28T01:30:00Z"),
				Instant.parse("2030-10-29T01:30:00Z"));
		// Hourly: 02:00 fires in its first pass only.
		ScheduleTrigger.Cron hourly = ScheduleTrigger.cron("0 0 * * * *", PARIS);
		assertThat(fires(hourly, Instant.parse("2030-10-26T23:30:00Z"), 3)).containsExactly(
				Instant.parse("2030-10-27T00:00:00Z"), Instant.parse("2030-10-27T02:00:00Z"),
				Instant.parse("2030-10-27T03:00:00Z"));
		// A schedule whose last fire was in the repeated hour's first pass goes on after it.
		assertThat(nightly.next(Instant.parse("2030-10-27T00:30:00Z"))).isEqualTo("2030-10-28T01:30:00Z");
	}

	@Test
	void fixedRateFiresEveryPeriodWhateverTheZone() {
		ScheduleTrigger.FixedRate rate = ScheduleTrigger.fixedRate(Duration.ofSeconds(90));
		assertThat(rate.next(Instant.parse("2030-03-31T00:59:00Z"))).isEqualTo("2030-03-31T01:00:30Z");
		assertThat(fires(rate, Instant.parse("2030-10-27T00:00:00Z"), 2)).containsExactly(
				Instant.parse("2030-10-27T00:01:30Z"), Instant.parse("2030-10-27T00:03:00Z"));
	}

	@Test
	void aLateFixedRateFireCountsTheTimesItMissedAndKeepsItsGrid() {
		ScheduleTrigger.FixedRate minutely = ScheduleTrigger.fixedRate(Duration.ofMinutes(1));
		Instant due = Instant.parse("2030-01-01T10:00:00Z");
		assertThat(minutely.catchUp(due, due.plusMillis(300)))
			.isEqualTo(new ScheduleTrigger.CatchUp(0, Instant.parse("2030-01-01T10:01:00Z")));
		// Down from 10:00 to 10:10:30: 10:01 … 10:10 were missed; the grid goes on at 10:11.
		assertThat(minutely.catchUp(due, Instant.parse("2030-01-01T10:10:30Z")))
			.isEqualTo(new ScheduleTrigger.CatchUp(10, Instant.parse("2030-01-01T10:11:00Z")));
	}

	@Test
	void aLateCronFireCountsTheTimesItMissedAndGoesOnFromNow() {
		ScheduleTrigger.Cron hourly = ScheduleTrigger.cron("0 0 * * * *", PARIS);
		Instant due = Instant.parse("2030-10-26T22:00:00Z");
		assertThat(hourly.catchUp(due, due.plusSeconds(1)))
			.isEqualTo(new ScheduleTrigger.CatchUp(0, Instant.parse("2030-10-26T23:00:00Z")));
		// Down across the night clocks go back: 01:00, 02:00 (once), 03:00, 04:00 local were missed.
		assertThat(hourly.catchUp(due, Instant.parse("2030-10-27T03:30:00Z")))
			.isEqualTo(new ScheduleTrigger.CatchUp(4, Instant.parse("2030-10-27T04:00:00Z")));
	}

	@Test
	void aCronThatNeverFiresHasNoNextTime() {
		assertThat(ScheduleTrigger.cron("0 0 0 30 2 *").next(Instant.parse("2030-01-01T00:00:00Z"))).isNull();
	}

	@Test
	void invalidTriggersNameTheirField() {
		assertThatThrownBy(() -> ScheduleTrigger.cron("0 */5 * * *")).isInstanceOf(InvalidScheduleException.class)
			.hasMessageContaining("six fields")
			.extracting((ex) -> ((InvalidScheduleException) ex).field())
			.isEqualTo("trigger.cron");
		assertThatThrownBy(() -> ScheduleTrigger.cron("0 0 25 * * *")).isInstanceOf(InvalidScheduleException.class);
		assertThatThrownBy(() -> ScheduleTrigger.cron(" ")).isInstanceOf(InvalidScheduleException.class);
		assertThatThrownBy(() -> ScheduleTrigger.zone("Europe/Atlantis")).isInstanceOf(InvalidScheduleException.class)
			.extracting((ex) -> ((InvalidScheduleException) ex).field())
			.isEqualTo("trigger.timezone");
		assertThat(ScheduleTrigger.zone("Europe/Paris")).isEqualTo(PARIS);
		assertThatThrownBy(() -> ScheduleTrigger.fixedRate(Duration.ZERO)).isInstanceOf(InvalidScheduleException.class)
			.extracting((ex) -> ((InvalidScheduleException) ex).field())
			.isEqualTo("trigger.fixedRate");
	}

	private static List<Instant> fires(ScheduleTrigger trigger, Instant from, int count) {
		List<Instant> fires = new ArrayList<>();
		Instant at = from;
		for (int i = 0; i < count; i++) {
			at = trigger.next(at);
			fires.add(at);
		}
		return fires;
	}

}
