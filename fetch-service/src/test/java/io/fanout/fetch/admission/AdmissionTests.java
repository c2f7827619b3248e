package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission decides when a request may go: permits of its host and of the process, waited for in
 * arrival order without holding a thread, given up on cancellation.
 */
class AdmissionTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@Test
	void grantsAtOnceWhileBothTheHostAndTheProcessHaveRoom() {
		Admission admission = Admission.of(10, (host) -> 2);
		Admission.Permit first = admission.admit("a.test").block(TIMEOUT);
		Admission.Permit second = admission.admit("a.test").block(TIMEOUT);
		assertThat(admission.inFlight("a.test")).isEqualTo(2);
		assertThat(admission.inFlight()).isEqualTo(2);
		first.release();
		second.release();
		assertThat(admission.inFlight("a.test")).isZero();
		assertThat(admission.inFlight()).isZero();
	}

	@Test
	void waitersAreServedInArrivalOrderAsPermitsComeBack() {
		Admission admission = Admission.of(10, (host) -> 1);
		Admission.Permit holder = admission.admit("a.test").block(TIMEOUT);
		List<Integer> order = new CopyOnWriteArrayList<>();
		List<Admission.Permit> granted = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 3; i++) {
			int waiter = i;
			admission.admit("a.test").subscribe((permit) -> {
				order.add(waiter);
				granted.add(permit);
			});
		}
		assertThat(order).isEmpty();
		assertThat(admission.waiting("a.test")).isEqualTo(3);
		holder.release();
		assertThat(order).containsExactly(0);
		granted.get(0).release();
		granted.get(1).release();
		assertThat(order).containsExactly(0, 1, 2);
		assertThat(admission.waiting("a.test")).isZero();
		assertThat(admission.inFlight("a.test")).isEqualTo(1);
	}

	@Test
	void hostsDoNotWaitForEachOther() {
		Admission admission = Admission.of(10, (host) -> 1);
		admission.admit("busy.test").block(TIMEOUT);
		StepVerifier.create(admission.admit("other.test")).expectNextCount(1).expectComplete().verify(TIMEOUT);
	}

	@Test
	void theProcessLimitHoldsAcrossHosts() {
		Admission admission = Admission.of(2, (host) -> 10);
		Admission.Permit a = admission.admit("a.test").block(TIMEOUT);
		admission.admit("b.test").block(TIMEOUT);
		AtomicInteger grantedC = new AtomicInteger();
		admission.admit("c.test").subscribe((permit) -> grantedC.incrementAndGet());
		assertThat(grantedC).hasValue(0);
		// c holds its host's permit while it waits for the process's.
		assertThat(admission.inFlight("c.test")).isEqualTo(1);
		a.release();
		assertThat(grantedC).hasValue(1);
		assertThat(admission.inFlight()).isEqualTo(2);
	}

	@Test
	void aWaiterThatIsCancelledGivesUpItsPlace() {
		Admission admission = Admission.of(10, (host) -> 1);
		Admission.Permit holder = admission.admit("a.test").block(TIMEOUT);
		Disposable gaveUp = admission.admit("a.test").subscribe();
		AtomicInteger grantedNext = new AtomicInteger();
		admission.admit("a.test").subscribe((permit) -> grantedNext.incrementAndGet());
		gaveUp.dispose();
		assertThat(admission.waiting("a.test")).isEqualTo(1);
		holder.release();
		assertThat(grantedNext).hasValue(1);
	}

	@Test
	void aWaiterCancelledWhileWaitingForTheProcessGivesItsHostPermitBack() {
		Admission admission = Admission.of(1, (host) -> 5);
		Admission.Permit holder = admission.admit("a.test").block(TIMEOUT);
		Disposable waiting = admission.admit("b.test").subscribe();
		assertThat(admission.inFlight("b.test")).isEqualTo(1);
		waiting.dispose();
		assertThat(admission.inFlight("b.test")).isZero();
		holder.release();
		assertThat(admission.inFlight()).isZero();
	}

	@Test
	void aTimeoutWhileWaitingLeavesNothingHeld() {
		Admission admission = Admission.of(10, (host) -> 1);
		Admission.Permit holder = admission.admit("a.test").block(TIMEOUT);
		StepVerifier.withVirtualTime(() -> admission.admit("a.test").timeout(Duration.ofSeconds(30)))
			.expectSubscription()
			.thenAwait(Duration.ofSeconds(30))
			.expectError(java.util.concurrent.TimeoutException.class)
			.verify(TIMEOUT);
		assertThat(admission.waiting("a.test")).isZero();
		holder.release();
		assertThat(admission.inFlight("a.test")).isZero();
	}

	@Test
	void releasingTwiceGivesBackOnce() {
		Admission admission = Admission.of(10, (host) -> 1);
		Admission.Permit permit = admission.admit("a.test").block(TIMEOUT);
		permit.release();
		permit.release();
		assertThat(admission.inFlight("a.test")).isZero();
		admission.admit("a.test").block(TIMEOUT);
		assertThat(admission.inFlight("a.test")).isEqualTo(1);
	}

	@Test
	void usingWhenReleasesOnCompletionErrorAndCancellation() {
		Admission admission = Admission.of(10, (host) -> 1);
		Mono<String> ok = Mono.usingWhen(admission.admit("a.test"), (permit) -> Mono.just("done"),
				Admission.Permit::releasing, (permit, failure) -> permit.releasing(), Admission.Permit::releasing);
		Mono<String> failing = Mono.usingWhen(admission.admit("a.test"),
				(permit) -> Mono.error(new IllegalStateException("boom")), Admission.Permit::releasing,
				(permit, failure) -> permit.releasing(), Admission.Permit::releasing);
		Mono<String> hanging = Mono.usingWhen(admission.admit("a.test"), (permit) -> Mono.never(),
				Admission.Permit::releasing, (permit, failure) -> permit.releasing(), Admission.Permit::releasing);
		StepVerifier.create(ok).expectNext("done").expectComplete().verify(TIMEOUT);
		StepVerifier.create(failing).expectError(IllegalStateException.class).verify(TIMEOUT);
		StepVerifier.create(hanging).expectSubscription().thenCancel().verify(TIMEOUT);
		assertThat(admission.inFlight("a.test")).isZero();
		assertThat(admission.inFlight()).isZero();
	}

	@Test
	void neverAdmitsMoreThanTheLimitUnderConcurrentUseAndCancellation() {
		Admission admission = Admission.of(1000, (host) -> 3);
		AtomicInteger held = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		List<Mono<Integer>> requests = new ArrayList<>();
		for (int i = 0; i < 400; i++) {
			int index = i;
			// Counted from the moment a permit is handed over to the moment it is given back.
			Mono<Integer> work = Mono.usingWhen(
					admission.admit("a.test").doOnNext((permit) -> most.accumulateAndGet(held.incrementAndGet(), Math::max)),
					(permit) -> Mono.delay(Duration.ofMillis(index % 3)).map((tick) -> index),
					(permit) -> giveBack(permit, held), (permit, failure) -> giveBack(permit, held),
					(permit) -> giveBack(permit, held));
			// Every fifth request gives up while it may still be waiting, from another thread.
			requests.add((index % 5 == 0) ? work.timeout(Duration.ofMillis(1), Mono.just(-1)) : work);
		}
		List<Integer> done = Flux.fromIterable(requests)
			.flatMap((request) -> request.subscribeOn(Schedulers.parallel()), 64)
			.collectList()
			.block(Duration.ofSeconds(30));
		assertThat(done).hasSize(400);
		assertThat(most.get()).isBetween(1, 3);
		assertThat(held).hasValue(0);
		assertThat(admission.inFlight("a.test")).isZero();
		assertThat(admission.waiting("a.test")).isZero();
		assertThat(admission.inFlight()).isZero();
	}

	private static Mono<Void> giveBack(Admission.Permit permit, AtomicInteger held) {
		return Mono.fromRunnable(() -> {
			held.decrementAndGet();
			permit.release();
		});
	}

}
