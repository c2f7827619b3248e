package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process-wide budget of body bytes: holders wait for room, in arrival order, without a thread,
 * for as long as they let themselves; room given back goes to the waiters; it is never exceeded
 * but by {@link MemoryBudget#take} of bytes already in memory.
 */
class MemoryBudgetTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Test
	void reservesAtOnceWhileThereIsRoom() {
		MemoryBudget budget = new MemoryBudget(100);

		Admission.Permit first = budget.reserve(60).block(TIMEOUT);
		Admission.Permit second = budget.reserve(40).block(TIMEOUT);

		assertThat(budget.held()).isEqualTo(100);
		assertThat(budget.limit()).isEqualTo(100);
		first.release();
		second.release();
		assertThat(budget.held()).isZero();
	}

	@Test
	void aReservationWaitsUntilRoomIsGivenBack() {
		MemoryBudget budget = new MemoryBudget(100);
		Admission.Permit holder = budget.reserve(60).block(TIMEOUT);

		StepVerifier.create(budget.reserve(60))
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(200))
			.then(holder::release)
			.assertNext((permit) -> assertThat(budget.held()).isEqualTo(60))
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void aWaitThatTimesOutHoldsNothingAndLeavesItsPlace() {
		MemoryBudget budget = new MemoryBudget(100);
		Admission.Permit holder = budget.reserve(80).block(TIMEOUT);

		StepVerifier.create(budget.reserve(50).timeout(Duration.ofMillis(200)))
			.expectError(TimeoutException.class)
			.verify(TIMEOUT);

		assertThat(budget.held()).isEqualTo(80);
		holder.release();
		// The one that gave up is not served later: the whole budget is free for the next.
		assertThat(budget.reserve(100).block(TIMEOUT)).isNotNull();
		assertThat(budget.held()).isEqualTo(100);
	}

	@Test
	void waitersAreServedInArrivalOrderEvenWhenALaterOneWouldFit() {
		MemoryBudget budget = new MemoryBudget(100);
		Admission.Permit holder = budget.reserve(90).block(TIMEOUT);
		List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();

		budget.reserve(50).subscribe((permit) -> served.add("heavy"));
		budget.reserve(5).subscribe((permit) -> served.add("light"));

		assertThat(served).isEmpty();
		holder.release();
		assertThat(served).containsExactly("heavy", "light");
		assertThat(budget.held()).isEqualTo(55);
	}

	@Test
	void aReservationLargerThanTheBudgetTakesTheWholeBudget() {
		MemoryBudget budget = new MemoryBudget(100);

		Admission.Permit all = budget.reserve(1_000).block(TIMEOUT);

		assertThat(budget.held()).isEqualTo(100);
		all.release();
		assertThat(budget.held()).isZero();
	}

	@Test
	void bytesTakenOverCountAtOnceEvenPastTheBudgetAndMakeNewReservationsWait() {
		MemoryBudget budget = new MemoryBudget(100);
		Admission.Permit reading = budget.reserve(70).block(TIMEOUT);

		Admission.Permit stored = budget.take(70);

		assertThat(budget.held()).isEqualTo(140);
		StepVerifier.create(budget.reserve(1))
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(100))
			// Back under the budget (70 of 100 held): room for it.
			.then(reading::release)
			.expectNextCount(1)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(budget.held()).isEqualTo(71);
		stored.release();
		assertThat(budget.held()).isEqualTo(1);
	}

	@Test
	void releasingTwiceGivesBackOnce() {
		MemoryBudget budget = new MemoryBudget(100);
		Admission.Permit reserved = budget.reserve(30).block(TIMEOUT);
		Admission.Permit taken = budget.take(30);
		Admission.Permit other = budget.reserve(20).block(TIMEOUT);

		reserved.release();
		reserved.release();
		taken.release();
		taken.release();

		assertThat(budget.held()).isEqualTo(20);
		other.release();
		assertThat(budget.held()).isZero();
	}

	@Test
	void unlimitedNeverWaits() {
		Admission.Permit first = MemoryBudget.UNLIMITED.reserve(10L << 30).block(TIMEOUT);
		Admission.Permit second = MemoryBudget.UNLIMITED.reserve(10L << 30).block(TIMEOUT);

		assertThat(first).isNotNull();
		assertThat(second).isNotNull();
		first.release();
		second.release();
	}

	@Test
	void neverOverTheBudgetUnderConcurrentUseAndCancellation() {
		for (int round = 0; round < 3; round++) {
			long limit = 1_000;
			MemoryBudget budget = new MemoryBudget(limit);
			AtomicLong granted = new AtomicLong();
			AtomicLong most = new AtomicLong();
			AtomicLong overseen = new AtomicLong();

			Flux.range(0, 20_000).flatMap((i) -> {
				long weight = 1 + ThreadLocalRandom.current().nextLong(400);
				Mono<Admission.Permit> reserve = budget.reserve(weight);
				if (i % 7 == 0) {
					// Some give up while they wait, or just as they are granted. A permit that arrives as the
					// timeout fires is dropped by the timeout operator: its discard hook gives the room back, as a
					// caller that wraps reserve in a timeout must (the fetch client takes its permits at once).
					reserve = reserve.timeout(Duration.ofNanos(ThreadLocalRandom.current().nextLong(50_000)),
							Schedulers.parallel())
						.doOnDiscard(Admission.Permit.class, Admission.Permit::release);
				}
				return reserve.publishOn(Schedulers.parallel()).map((permit) -> {
					most.accumulateAndGet(granted.addAndGet(weight), Math::max);
					if (budget.held() > limit) {
						overseen.incrementAndGet();
					}
					granted.addAndGet(-weight);
					permit.release();
					return weight;
				}).onErrorResume(TimeoutException.class, (timeout) -> Mono.empty());
			}, 64).then().block(Duration.ofSeconds(60));

			assertThat(most.get()).as("round %d", round).isBetween(1L, limit);
			assertThat(overseen).as("round %d", round).hasValue(0);
			assertThat(budget.held()).as("round %d: nothing left held", round).isZero();
			// Room is back and nobody is left in line: the whole budget can be had at once.
			assertThat(budget.reserve(limit).block(TIMEOUT)).isNotNull();
		}
	}

	@Test
	void aRequestWaitsForRoomWithinItsTimeoutThenReadsItsBody() {
		MemoryBudget budget = new MemoryBudget(1024 * 1024);
		FetchPolicy policy = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE).withMaxBodySize(2 * 1024 * 1024);
		try (TestUpstream upstream = new TestUpstream();
				ReactorFetchClient client = ReactorFetchClient.builder()
					.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
					.memoryBudget(budget)
					.build()) {
			// Results waiting for the database hold the whole budget.
			Admission.Permit stored = budget.take(budget.limit());

			FetchOutcome starved = client
				.fetch(FetchRequest.get(upstream.url("/big/1/declared/text")), policy.withTimeout(Duration.ofMillis(500)))
				.block(TIMEOUT);

			assertThat(starved.kind()).isEqualTo(OutcomeKind.TIMED_OUT);
			assertThat(starved.body()).isNull();
			assertThat(budget.held()).isEqualTo(budget.limit());

			Mono<FetchOutcome> waiting = client.fetch(FetchRequest.get(upstream.url("/big/1/declared/text?again")),
					policy.withTimeout(Duration.ofSeconds(10)));
			StepVerifier.create(waiting)
				.expectSubscription()
				.expectNoEvent(Duration.ofMillis(300))
				.then(stored::release)
				.assertNext((outcome) -> {
					assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
					assertThat(outcome.bodySize()).isEqualTo(1024 * 1024);
				})
				.expectComplete()
				.verify(TIMEOUT);
			// Delivered: its room is back.
			assertThat(client.admission().memoryHeld()).isZero();
		}
	}

}
