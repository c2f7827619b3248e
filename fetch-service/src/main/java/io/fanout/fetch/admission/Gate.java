package io.fanout.fetch.admission;

import java.util.ArrayDeque;

import org.jspecify.annotations.Nullable;

/**
 * A counting semaphore whose waiters queue in arrival order and never hold a thread: a caller that
 * finds no room leaves a callback behind, run later by whichever thread frees a permit. The
 * critical sections only move a counter and queue entries; callbacks run outside them. For a waiter,
 * exactly one of two things happens: {@link #leave} takes it out, or its callback runs.
 */
final class Gate {

	private final int limit;

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	private int used;

	Gate(int limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("a gate needs room for at least one, not " + limit);
		}
		this.limit = limit;
	}

	/**
	 * Takes a permit now and runs {@code granted}, or queues {@code granted} behind the waiters
	 * already there, to run when a permit passes to it.
	 * @return the queue entry to {@link #leave} on cancellation, or null if the permit was taken now
	 * (then {@code granted} has run)
	 */
	@Nullable Waiter enter(Runnable granted) {
		synchronized (this) {
			if (this.waiters.isEmpty() && this.used < this.limit) {
				this.used++;
			}
			else {
				Waiter waiter = new Waiter(granted);
				this.waiters.addLast(waiter);
				return waiter;
			}
		}
		granted.run();
		return null;
	}

	/**
	 * Takes {@code waiter} out of the queue, if it is still waiting.
	 * @return whether it was still waiting (false: it was granted meanwhile and holds a permit)
	 */
	boolean leave(Waiter waiter) {
		synchronized (this) {
			return this.waiters.remove(waiter);
		}
	}

	/** Gives a permit back: to the first waiter, if there is one. */
	void release() {
		Waiter next;
		synchronized (this) {
			next = this.waiters.pollFirst();
			if (next == null) {
				this.used--;
				return;
			}
		}
		// The permit passes straight to the next waiter; used stays as it is.
		next.granted().run();
	}

	/** Permits held now. */
	synchronized int used() {
		return this.used;
	}

	/** Callers waiting now. */
	synchronized int waiting() {
		return this.waiters.size();
	}

	int limit() {
		return this.limit;
	}

	/** One caller in the queue; identity matters, not value. */
	static final class Waiter {

		private final Runnable granted;

		Waiter(Runnable granted) {
			this.granted = granted;
		}

		Runnable granted() {
			return this.granted;
		}

	}

}
