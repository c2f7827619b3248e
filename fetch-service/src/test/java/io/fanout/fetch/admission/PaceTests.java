package io.fanout.fetch.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rates in virtual time: callers pass one interval apart, a timer (not a thread) lets each through
 * at its slot, leaving gives the slot back, shared slots come in leased blocks.
 */
class PaceTests {

	private static final long MS = 1_000_000;

	private final VirtualTimeScheduler time = VirtualTimeScheduler.create();

	@AfterEach
	void dispose() {
		this.time.dispose();
	}

	@Test
	void callersPassOneIntervalApartInArrivalOrder() {
		Pace pace = Pace.local(100 * MS, this.time, this::now);
		List<Long> passed = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 5; i++) {
			take(pace).subscribe((permit) -> passed.add(now() / MS));
		}
		assertThat(passed).containsExactly(0L);
		this.time.advanceTimeBy(Duration.ofMillis(450));
		assertThat(passed).containsExactly(0L, 100L, 200L, 300L, 400L);
		assertThat(pace.isIdle()).isTrue();
	}

	@Test
	void aCallerAfterAQuietSpellPassesAtOnce() {
		Pace pace = Pace.local(100 * MS, this.time, this::now);
		take(pace).block(Duration.ofSeconds(1));
		this.time.advanceTimeBy(Duration.ofSeconds(5));
		List<Long> passed = new CopyOnWriteArrayList<>();
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		this.time.advanceTimeBy(Duration.ofMillis(100));
		// No burst is saved up: the second one still waits its interval.
		assertThat(passed).containsExactly(5000L, 5100L);
	}

	@Test
	void openingAllLetsEveryWaiterThroughOnceAndForgetsTheirSlots() {
		Pace pace = Pace.local(1000 * MS, this.time, this::now);
		List<Long> passed = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 4; i++) {
			take(pace).subscribe((permit) -> passed.add(now() / MS));
		}
		Disposable left = take(pace).subscribe((permit) -> passed.add(-1L));
		left.dispose();
		this.time.advanceTimeBy(Duration.ofMillis(10));
		assertThat(passed).containsExactly(0L);

		pace.openAll();

		assertThat(passed).containsExactly(0L, 10L, 10L, 10L);
		assertThat(pace.isIdle()).isTrue();
		// Their timers are gone: nobody passes twice when the slots they held come.
		this.time.advanceTimeBy(Duration.ofSeconds(10));
		assertThat(passed).hasSize(4);
	}

	@Test
	void theLastCallerLeavingGivesItsSlotBack() {
		Pace pace = Pace.local(100 * MS, this.time, this::now);
		take(pace).subscribe();
		Disposable second = take(pace).subscribe();
		assertThat(pace.waiting()).isEqualTo(1);
		second.dispose();
		assertThat(pace.waiting()).isZero();
		List<Long> passed = new CopyOnWriteArrayList<>();
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		this.time.advanceTimeBy(Duration.ofMillis(100));
		assertThat(passed).containsExactly(100L);
	}

	@Test
	void aNewIntervalAppliesToTheSlotsNotYetPromised() {
		Pace pace = Pace.local(100 * MS, this.time, this::now);
		List<Long> passed = new CopyOnWriteArrayList<>();
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		pace.interval(500 * MS);
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(passed).containsExactly(0L, 100L, 600L);
	}

	@Test
	void aPauseHoldsEveryoneUntilItEnds() {
		Pace pace = Pace.local(10 * MS, this.time, this::now);
		pace.pause(2000 * MS);
		List<Long> passed = new CopyOnWriteArrayList<>();
		take(pace).subscribe((permit) -> passed.add(now() / MS));
		this.time.advanceTimeBy(Duration.ofMillis(1999));
		assertThat(passed).isEmpty();
		this.time.advanceTimeBy(Duration.ofMillis(1));
		assertThat(passed).containsExactly(2000L);
	}

	@Test
	void sharedSlotsAreLeasedInBlocksAndWaitersWithoutOneWaitForTheLease() {
		List<Integer> leased = new CopyOnWriteArrayList<>();
		// A store whose line of slots for this key is already 300 ms ahead of now: other replicas took the rest.
		long[] line = { 300 * MS };
		SlotLeases store = (key, interval, count, lead) -> {
			leased.add(count);
			long first = Math.max(line[0], now() + lead.toNanos());
			line[0] = first + count * interval.toNanos();
			return Mono.just(new SlotLeases.Lease(Instant.ofEpochSecond(0, first), Instant.ofEpochSecond(0, now())));
		};
		Pace pace = new Pace(new LeasedSlots("host:a", 50 * MS, store, this::now), this.time, this::now);
		List<Long> passed = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 3; i++) {
			take(pace).subscribe((permit) -> passed.add(now() / MS));
		}
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		// Blocks of 100 ms of the rate: two slots each, from where the store's line was.
		assertThat(leased).containsExactly(2, 2);
		assertThat(passed).containsExactly(300L, 350L, 400L);
	}

	@Test
	void withoutTheStoreSlotsAreMadeHereForAWhile() {
		SlotLeases unreachable = (key, interval, count, lead) -> Mono.error(new IllegalStateException("database down"));
		Pace pace = new Pace(new LeasedSlots("host:a", 100 * MS, unreachable, this::now), this.time, this::now);
		List<Long> passed = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 3; i++) {
			take(pace).subscribe((permit) -> passed.add(now() / MS));
		}
		this.time.advanceTimeBy(Duration.ofSeconds(1));
		assertThat(passed).containsExactly(0L, 100L, 200L);
	}

	private Mono<Admission.Permit> take(Pace pace) {
		return Admission.through(List.of(new Admission.Stage(pace, 1)));
	}

	private long now() {
		return this.time.now(TimeUnit.NANOSECONDS);
	}

}
