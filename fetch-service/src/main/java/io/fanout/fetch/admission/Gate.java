package io.fanout.fetch.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A weighted semaphore whose waiters queue in arrival order and never hold a thread: a caller that
 * finds no room leaves a callback behind, run later by whichever thread gives room back. The
 * critical sections only move a counter and queue entries; callbacks run outside them. For a
 * waiter, exactly one of two things happens: {@link #leave} takes it out, or its callback runs. The
 * first waiter is served first even when a later, lighter one would fit: nobody starves.
 */
final class Gate implements Limit {

	private volatile long limit;

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	private long used;

	Gate(long limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("a gate needs room for at least one, not " + limit);
		}
		this.limit = limit;
	}

	/**
	 * Takes {@code weight} now, or queues behind the waiters already there; {@code granted} runs when
	 * the weight passes to it. A weight above the limit is taken as the whole limit.
	 * @return null if the weight was taken now ({@code granted} does not run), else the queue entry to
	 * {@link #leave} on cancellation
	 */
	@Override
	public @Nullable Waiter enter(long weight, Runnable granted) {
		synchronized (this) {
			long taken = Math.min(weight, this.limit);
			if (this.waiters.isEmpty() && this.used + taken <= this.limit) {
				this.used += taken;
				return null;
			}
			Waiter waiter = new Waiter(taken, granted);
			this.waiters.addLast(waiter);
			return waiter;
		}
	}

	/**
	 * Takes {@code weight} now, room or not, ahead of every waiter: for what is already held
	 * elsewhere and only changes hands. Past the limit, nobody is let through until enough is back.
	 */
	synchronized void force(long weight) {
		this.used += Math.min(weight, this.limit);
	}

	/**
	 * Takes {@code waiter} out of the queue, if it is still waiting.
	 * @return whether it was still waiting (false: it was granted meanwhile and holds its weight)
	 */
	@Override
	public boolean leave(Waiter waiter) {
		List<Waiter> granted;
		synchronized (this) {
			if (!this.waiters.remove(waiter)) {
				return false;
			}
			// A heavy waiter leaving may let lighter ones behind it through.
			granted = grantHeads();
		}
		granted.forEach((next) -> next.granted.run());
		return true;
	}

	/** Gives {@code weight} back, to the waiters first in line that now fit. */
	@Override
	public void release(long weight) {
		List<Waiter> granted;
		synchronized (this) {
			this.used -= Math.min(weight, this.limit);
			granted = grantHeads();
		}
		granted.forEach((next) -> next.granted.run());
	}

	private List<Waiter> grantHeads() {
		List<Waiter> granted = List.of();
		for (Waiter head = this.waiters.peekFirst(); head != null
				&& this.used + head.weight <= this.limit; head = this.waiters.peekFirst()) {
			this.waiters.pollFirst();
			this.used += head.weight;
			if (granted.isEmpty()) {
				granted = new ArrayList<>(2);
			}
			granted.add(head);
		}
		return granted;
	}

	/** Weight held now. */
	synchronized long used() {
		return this.used;
	}

	/** Callers waiting now. */
	synchronized int waiting() {
		return this.waiters.size();
	}

	/** Whether nothing is held and nobody waits: the gate can be dropped and made again. */
	synchronized boolean isIdle() {
		return this.used == 0 && this.waiters.isEmpty();
	}

	long limit() {
		return this.limit;
	}

	/**
	 * Changes the limit: a raised one lets waiters through at once, a lowered one lets nobody through
	 * until enough is back. For gates whose weights are 1 (a weight is capped to the limit when taken
	 * and given back, which a change in between would make differ).
	 */
	void resize(long limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("a gate needs room for at least one, not " + limit);
		}
		List<Waiter> granted;
		synchronized (this) {
			if (limit == this.limit) {
				return;
			}
			this.limit = limit;
			granted = grantHeads();
		}
		granted.forEach((next) -> next.granted.run());
	}

}
