package io.fanout.fetch.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.TestUpstream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConcurrentlyTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Test
	void runsEveryTaskAndNeverMoreThanTheConcurrencyAtOnce() {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 2000).iterator(), 16,
				(index) -> Mono.fromCallable(() -> most.accumulateAndGet(running.incrementAndGet(), Math::max))
					.subscribeOn(Schedulers.parallel())
					.delayElement(Duration.ofMillis(1))
					.doOnNext((ignored) -> running.decrementAndGet())
					.thenReturn(index));

		List<Integer> seen = values.collectList().block(TIMEOUT);

		assertThat(seen).hasSize(2000).doesNotHaveDuplicates();
		assertThat(most.get()).isBetween(2, 16);
	}

	@Test
	void emitsInCompletionOrder() {
		StepVerifier
			.withVirtualTime(() -> Concurrently.run(IntStream.range(0, 3).iterator(), 3,
					(index) -> Mono.delay(Duration.ofMillis(300 - 100 * index)).thenReturn(index)))
			.thenAwait(Duration.ofMillis(300))
			.expectNext(2, 1, 0)
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void aSubscriberThatFallsBehindHoldsBackNewTasks() {
		AtomicInteger started = new AtomicInteger();
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 100).iterator(), 4, (index) -> {
			started.incrementAndGet();
			return Mono.just(index);
		});

		StepVerifier.create(values, 0)
			.then(() -> assertThat(started).hasValue(4))
			.thenRequest(2)
			.expectNext(0, 1)
			.then(() -> assertThat(started).hasValue(6))
			.thenCancel()
			.verify(TIMEOUT);
	}

	@Test
	void cancellingCancelsEveryRunningTask() {
		List<Sinks.Empty<Void>> cancelled = new ArrayList<>();
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 10).iterator(), 5, (index) -> {
			Sinks.Empty<Void> sink = Sinks.empty();
			cancelled.add(sink);
			return Mono.<Integer>never().doOnCancel(sink::tryEmitEmpty);
		});

		StepVerifier.create(values).expectSubscription().thenAwait(Duration.ofMillis(50)).thenCancel().verify(TIMEOUT);

		assertThat(cancelled).hasSize(5);
		Flux.fromIterable(cancelled).flatMap(Sinks.Empty::asMono).then().block(TIMEOUT);
	}

	@Test
	void cancellingWhileTasksAreStartingLeavesNoTaskRunning() throws InterruptedException {
		// Most tasks complete at once, so the drain goes on starting tasks on the subscribing thread
		// while another thread cancels; every 50th never completes and must end up cancelled.
		for (int round = 0; round < 300; round++) {
			AtomicInteger subscribed = new AtomicInteger();
			AtomicInteger cancelled = new AtomicInteger();
			Flux<Integer> values = Concurrently.run(IntStream.range(0, 1_000_000).iterator(), 64,
					(index) -> (index % 50 != 0) ? Mono.just(index)
							: Mono.<Integer>never()
								.doOnSubscribe((ignored) -> subscribed.incrementAndGet())
								.doOnCancel(cancelled::incrementAndGet));
			BaseSubscriber<Integer> subscriber = new BaseSubscriber<>() {
			};
			int cancelAfter = 1 + (round % 40);
			Thread canceller = new Thread(() -> {
				while (subscribed.get() < cancelAfter) {
					Thread.onSpinWait();
				}
				subscriber.dispose();
			});
			canceller.start();
			values.subscribe(subscriber);
			canceller.join(TIMEOUT.toMillis());
			assertThat(cancelled).as("round %d", round).hasValue(subscribed.get());
		}
	}

	@Test
	void theFirstErrorEndsTheFluxAndCancelsTheOthers() {
		AtomicInteger cancelledOthers = new AtomicInteger();
		StepVerifier
			.withVirtualTime(() -> Concurrently.run(IntStream.range(0, 3).iterator(), 3,
					(index) -> (index == 1)
							? Mono.delay(Duration.ofMillis(50)).then(Mono.<Integer>error(new IllegalStateException("boom")))
							: Mono.<Integer>never().doOnCancel(cancelledOthers::incrementAndGet)))
			.thenAwait(Duration.ofMillis(50))
			.expectErrorMessage("boom")
			.verify(TIMEOUT);

		// The error reaches the subscriber first; the others are cancelled right after, on that thread.
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cancelledOthers).hasValue(2));
	}

	@Test
	void aTaskThatCannotBeBuiltEndsTheFluxWithItsExceptionAndCancelsTheOthers() {
		AtomicInteger cancelledOthers = new AtomicInteger();
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 3).iterator(), 3, (index) -> {
			if (index == 2) {
				throw new IllegalArgumentException("no task for 2");
			}
			return Mono.<Integer>never().doOnCancel(cancelledOthers::incrementAndGet);
		});

		StepVerifier.create(values).expectErrorMessage("no task for 2").verify(TIMEOUT);
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cancelledOthers).hasValue(2));
	}

	@Test
	void noIndexesCompletesAtOnceAndNothingStartsBeforeSubscription() {
		AtomicInteger started = new AtomicInteger();
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 3).iterator(), 2, (index) -> {
			started.incrementAndGet();
			return Mono.just(index);
		});
		assertThat(started).hasValue(0);

		StepVerifier.create(Concurrently.run(IntStream.empty().iterator(), 2, Mono::just))
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(values).expectNextCount(3).expectComplete().verify(TIMEOUT);
	}

	@Test
	void everyTaskRunsWithTheSubscribersContext() {
		// Tasks after the first two start on the threads where earlier ones completed; the context goes along.
		Flux<String> values = Concurrently.run(IntStream.range(0, 20).iterator(), 2,
				(index) -> Mono.deferContextual((context) -> Mono.just(context.get("trace") + ":" + index))
					.subscribeOn(Schedulers.parallel()))
			.contextWrite(Context.of("trace", "t-1"));

		StepVerifier.create(values.collectList())
			.assertNext((seen) -> assertThat(seen).hasSize(20)
				.allMatch((value) -> value.startsWith("t-1:"))
				.doesNotHaveDuplicates())
			.expectComplete()
			.verify(TIMEOUT);
	}

	@Test
	void aContextWrittenDownstreamOfOtherOperatorsStillReachesTheTasks() {
		Flux<Object> values = Concurrently.run(IntStream.range(0, 3).iterator(), 3,
				(index) -> Mono.deferContextual((context) -> Mono.just(context.getOrDefault("tenant", "none"))))
			.map((value) -> (Object) value)
			.filter((value) -> true)
			.contextWrite(Context.of("tenant", "b"));

		StepVerifier.create(values).expectNext("b", "b", "b").expectComplete().verify(TIMEOUT);
	}

	@Test
	void anIncludePredicateThatThrowsEndsTheFluxWithItsErrorAndCancelsTheRunningTasks() {
		AtomicInteger cancelled = new AtomicInteger();
		PrimitiveIterator.OfInt indexes = IntStream.range(0, 10).filter((index) -> {
			if (index == 3) {
				throw new IllegalStateException("include failed at 3");
			}
			return true;
		}).iterator();
		Flux<Integer> values = Concurrently.run(indexes, 5,
				(index) -> Mono.<Integer>never().doOnCancel(cancelled::incrementAndGet));

		StepVerifier.create(values).expectErrorMessage("include failed at 3").verify(TIMEOUT);
		assertThat(cancelled).hasValue(3);
	}

	@Test
	void anIncludePredicateThatThrowsLaterEndsTheFluxWithItsErrorAfterTheValuesBeforeIt() {
		// The predicate throws on a completion thread, when the drain reads the next index there.
		IntPredicate include = (index) -> {
			if (index == 6) {
				throw new IllegalArgumentException("include failed at 6");
			}
			return true;
		};
		Flux<Integer> values = Concurrently.run(IntStream.range(0, 10).filter(include).iterator(), 2,
				(index) -> Mono.just(index).delayElement(Duration.ofMillis(5), Schedulers.parallel()));

		StepVerifier.create(values)
			.recordWith(ArrayList::new)
			.thenConsumeWhile((value) -> true)
			.consumeRecordedWith((seen) -> assertThat(seen).hasSizeBetween(4, 6).allMatch((value) -> value < 6))
			.expectErrorMessage("include failed at 6")
			.verify(TIMEOUT);
	}

	@Test
	void fetchAllEndsWithTheErrorWhenTheCallersIncludeThrows() {
		try (TestUpstream upstream = new TestUpstream();
				ReactorFetchClient client = ReactorFetchClient.builder()
					.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
					.build()) {
			List<FetchRequest> requests = IntStream.range(0, 5)
				.mapToObj((i) -> FetchRequest.get(upstream.url("/ok/" + i)))
				.toList();
			IntPredicate include = (index) -> {
				if (index == 2) {
					throw new IllegalStateException("resume state unreadable");
				}
				return true;
			};

			StepVerifier.create(client.fetchAll(requests, FetchPolicy.DEFAULT.withConcurrency(1), include, FetchScope.SHARED))
				.expectNextCount(2)
				.expectErrorMessage("resume state unreadable")
				.verify(TIMEOUT);
			assertThat(upstream.requests()).isEqualTo(2);
		}
	}

}
