package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The slow-down of a host that complained, in virtual time: halved from the rate it was receiving,
 * once per second however many refusals came, never below the floor, paused by a Retry-After, and
 * recovered step by step until it lets go, whether requests to the host keep waiting or not.
 */
class ThrottleTests {

	private static final long MS = 1_000_000;

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	@AfterEach
	void dispose() {
		this.time.dispose();
	}

	@Test
	void aHostThatNeverComplainedIsNotPaced() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 100);
		assertThat(throttle.pace()).isNull();
		assertThat(throttle.rate()).isZero();
		assertThat(throttle.isIdle()).isTrue();
	}

	@Test
	void aComplaintHalvesTheRateTheHostWasReceivingAndABurstOfThemCountsOnce() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 40);

		throttle.refused(null);
		throttle.refused(null);
		throttle.refused(null);

		assertThat(throttle.rate()).isEqualTo(20);
		assertThat(throttle.pace().interval()).isEqualTo(50 * MS);
		this.time.advanceTimeBy(Duration.ofMillis(1000));
		throttle.refused(null);
		assertThat(throttle.rate()).isEqualTo(10);
	}

	@Test
	void theRateNeverGoesBelowTheFloor() {
		Throttle throttle = throttle(2, 0);
		send(throttle, 4);
		for (int i = 0; i < 5; i++) {
			throttle.refused(null);
			this.time.advanceTimeBy(Duration.ofMillis(1000));
		}
		assertThat(throttle.rate()).isEqualTo(2);
	}

	@Test
	void aHostWithAConfiguredRateIsHalvedFromThatRateAtMost() {
		Throttle throttle = throttle(1, 10);
		send(throttle, 100);
		throttle.refused(null);
		assertThat(throttle.rate()).isEqualTo(5);
	}

	@Test
	void quietSecondsRecoverTheRateStepByStepUntilTheThrottleLetsGo() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 20);
		throttle.refused(null);
		assertThat(throttle.rate()).isEqualTo(10);

		this.time.advanceTimeBy(Duration.ofSeconds(5));
		throttle.pace();
		// A tenth of the rate at the last decrease per second.
		assertThat(throttle.rate()).isCloseTo(15, within(0.001));

		// It lets go once back at twice what the host received when it complained.
		this.time.advanceTimeBy(Duration.ofSeconds(30));
		assertThat(throttle.pace()).isNull();
		assertThat(throttle.rate()).isZero();
	}

	@Test
	void aHostKeptBusyRecoversAsAnIdleOneDoesAndWhoeverWaitsGoesAtOnce() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 20);
		throttle.refused(null);
		Pace pace = throttle.pace();
		List<Integer> passed = new CopyOnWriteArrayList<>();
		// A backlog: at 10 a second the last of these would wait 100 s.
		for (int i = 0; i < 1000; i++) {
			int n = i;
			Admission.through(List.of(new Admission.Stage(pace, 1))).subscribe((permit) -> passed.add(n));
		}

		this.time.advanceTimeBy(Duration.ofSeconds(29));
		assertThat(throttle.pace()).isSameAs(pace);
		assertThat(passed).hasSizeLessThan(300);

		// Back at twice what the host received (40 a second): it lets go, busy or not.
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(throttle.pace()).isNull();
		assertThat(passed).hasSize(1000);
		assertThat(throttle.isIdle()).isTrue();
	}

	@Test
	void aPendingRetryAfterHoldsTheThrottleWhateverTheRate() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 20);
		throttle.refused(Duration.ofSeconds(60));

		this.time.advanceTimeBy(Duration.ofSeconds(40));
		assertThat(throttle.pace()).as("recovered past 40 a second, still paused").isNotNull();
		this.time.advanceTimeBy(Duration.ofSeconds(20));
		assertThat(throttle.pace()).isNull();
	}

	@Test
	void retryAfterPausesEveryRequestToTheHostUntilThen() {
		Throttle throttle = throttle(1, 0);
		send(throttle, 20);
		throttle.refused(Duration.ofSeconds(3));
		List<Long> passed = new CopyOnWriteArrayList<>();
		Pace pace = throttle.pace();
		for (int i = 0; i < 3; i++) {
			Admission.through(List.of(new Admission.Stage(pace, 1))).subscribe((permit) -> passed.add(now() / MS));
		}

		this.time.advanceTimeBy(Duration.ofMillis(2999));
		assertThat(passed).isEmpty();
		this.time.advanceTimeBy(Duration.ofMillis(300));
		// Then one every 100 ms, the halved rate.
		assertThat(passed).containsExactly(3000L, 3100L, 3200L);
	}

	private Throttle throttle(double minRate, double ceiling) {
		return new Throttle(this.time, this::now, minRate, ceiling);
	}

	private void send(Throttle throttle, int count) {
		for (int i = 0; i < count; i++) {
			throttle.sent();
		}
	}

	private long now() {
		return this.time.now(TimeUnit.NANOSECONDS);
	}

}
