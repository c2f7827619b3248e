package io.fanout.fetch.http;

import java.util.PrimitiveIterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;

/**
 * Runs one task per index, at most {@code concurrency} at a time, and emits their values in the
 * order they complete: {@code Flux.fromIterable(indexes).flatMap(task, concurrency)}, for tasks that
 * are single-valued Monos.
 * <p>
 * Why not {@code flatMap}: when its inner publishers complete on several threads at once, as
 * responses do on several event loops, {@code flatMap}'s drain walks the array of every inner
 * subscriber for each value, so its cost grows with the concurrency; at 10,000 it was half of the
 * event loops' time. Here values go through one multi-producer queue, and each completion costs the
 * same whatever the concurrency.
 * <p>
 * Like {@code flatMap}, tasks started and not yet delivered downstream never exceed
 * {@code concurrency}: a slow subscriber slows the start of new tasks. Cancelling cancels every
 * running task; the first task error, or exception from {@code task} or from {@code indexes}, ends
 * the flux with that error and cancels the rest. Every task runs with the subscriber's context.
 */
final class Concurrently {

	private Concurrently() {
	}

	/**
	 * @param indexes what to run, read as tasks start; an iterator is used up by one subscription, so
	 * build the flux inside {@code Flux.defer} to subscribe again
	 */
	static <T> Flux<T> run(PrimitiveIterator.OfInt indexes, int concurrency, IntFunction<Mono<T>> task) {
		if (concurrency < 1) {
			throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
		}
		return Flux.create((sink) -> new Run<>(sink, indexes, concurrency, task).start());
	}

	private static final class Run<T> {

		private final FluxSink<T> sink;

		private final PrimitiveIterator.OfInt indexes;

		private final int concurrency;

		private final IntFunction<Mono<T>> task;

		/** Serializes {@link #drain()}: only the thread that moves it from 0 runs the loop. */
		private final AtomicInteger wip = new AtomicInteger();

		private final AtomicInteger running = new AtomicInteger();

		private final AtomicLong requested = new AtomicLong();

		private final AtomicLong emitted = new AtomicLong();

		private final Set<Task> tasks = ConcurrentHashMap.newKeySet();

		private volatile boolean stopped;

		/** Only read and written inside the drain loop. */
		private boolean exhausted;

		Run(FluxSink<T> sink, PrimitiveIterator.OfInt indexes, int concurrency, IntFunction<Mono<T>> task) {
			this.sink = sink;
			this.indexes = indexes;
			this.concurrency = concurrency;
			this.task = task;
		}

		void start() {
			this.sink.onDispose(this::stop);
			// Called at once with any demand already there, then with each new request.
			this.sink.onRequest((n) -> {
				this.requested.getAndUpdate((current) -> Operators.addCap(current, n));
				drain();
			});
			// Like flatMap, work starts before the first request: up to the concurrency, held until asked.
			drain();
		}

		private void stop() {
			this.stopped = true;
			this.tasks.forEach(Task::dispose);
		}

		/** Starts tasks while there is room, and completes once every task has completed. */
		private void drain() {
			if (this.wip.getAndIncrement() != 0) {
				return;
			}
			int missed = 1;
			do {
				while (!this.stopped && !this.exhausted && hasRoom()) {
					int index;
					try {
						if (!this.indexes.hasNext()) {
							this.exhausted = true;
							break;
						}
						index = this.indexes.nextInt();
					}
					catch (RuntimeException ex) {
						// The caller's filter of indexes threw: the flux ends with it, as for a task that cannot be built.
						this.stopped = true;
						this.tasks.forEach(Task::dispose);
						this.sink.error(ex);
						break;
					}
					Task running = new Task();
					this.tasks.add(running);
					if (this.stopped) {
						// stop() may have gone over the tasks before this one was added: never start it.
						this.tasks.remove(running);
						break;
					}
					this.running.incrementAndGet();
					Mono<T> work;
					try {
						work = this.task.apply(index);
					}
					catch (RuntimeException ex) {
						// As flatMap does with its mapper's exceptions: the flux ends with it.
						this.tasks.remove(running);
						this.running.decrementAndGet();
						this.sink.error(ex);
						break;
					}
					work.subscribe(running);
				}
				if (this.exhausted && !this.stopped && this.running.get() == 0) {
					this.stopped = true;
					this.sink.complete();
				}
				missed = this.wip.addAndGet(-missed);
			}
			while (missed != 0);
		}

		/** Whether tasks running plus values waiting for demand leave room for one more task. */
		private boolean hasRoom() {
			long waiting = Math.max(0, this.emitted.get() - this.requested.get());
			return this.running.get() + waiting < this.concurrency;
		}

		private final class Task extends BaseSubscriber<T> {

			/** The subscriber's context reaches every task: tracing, and whatever else rides on it. */
			@Override
			public Context currentContext() {
				return Context.of(Run.this.sink.contextView());
			}

			@Override
			protected void hookOnSubscribe(Subscription subscription) {
				subscription.request(1);
			}

			@Override
			protected void hookOnNext(T value) {
				Run.this.emitted.incrementAndGet();
				Run.this.sink.next(value);
			}

			@Override
			protected void hookOnError(Throwable failure) {
				Run.this.sink.error(failure);
			}

			@Override
			protected void hookFinally(SignalType type) {
				Run.this.tasks.remove(this);
				Run.this.running.decrementAndGet();
				drain();
			}

		}

	}

}
