package io.fanout.fetch.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A rate: callers pass one at a time, each at a slot of its own, the slots one interval apart. A
 * caller takes the next free slot when it enters and is let through when its slot comes (at once if
 * it has come); a timer, not a thread, waits for it. Slots come from {@link Slots}: made here for a
 * rate of this process, or leased in blocks from a store shared by every replica.
 * <p>
 * A caller that leaves before its slot gives it back if nobody took a later one; otherwise that slot
 * goes unused, and the rate is a little under its limit for a moment, never over.
 */
final class Pace implements Limit {

	private final Slots slots;

	private final Scheduler timer;

	private final LongSupplier nanoTime;

	/** Waiters that found no slot to take: only when leased slots ran out and more are asked for. */
	private final ArrayDeque<Turn> unslotted = new ArrayDeque<>();

	/** Waiters that hold a slot still to come, each on its timer: {@link #openAll} lets them go. */
	private final Set<Turn> slotted = new LinkedHashSet<>();

	private int waiting;

	private boolean refilling;

	/**
	 * @param timer where waiters are let through when their slot comes
	 * @param nanoTime the clock of slots, the timer's
	 */
	Pace(Slots slots, Scheduler timer, LongSupplier nanoTime) {
		this.slots = slots;
		this.timer = timer;
		this.nanoTime = nanoTime;
	}

	/** A pace of this process alone, one slot every {@code intervalNanos}. */
	static Pace local(long intervalNanos, Scheduler timer, LongSupplier nanoTime) {
		return new Pace(new LocalSlots(intervalNanos), timer, nanoTime);
	}

	@Override
	public @Nullable Waiter enter(long weight, Runnable granted) {
		long now = this.nanoTime.getAsLong();
		Turn turn;
		boolean refill;
		synchronized (this) {
			long slot = this.unslotted.isEmpty() ? this.slots.take(now) : Slots.NONE;
			if (slot != Slots.NONE && slot <= now) {
				return null;
			}
			turn = new Turn(granted);
			this.waiting++;
			if (slot != Slots.NONE) {
				turn.slot = slot;
				this.slotted.add(turn);
				turn.timer = this.timer.schedule(() -> due(turn), slot - now, TimeUnit.NANOSECONDS);
				return turn;
			}
			this.unslotted.addLast(turn);
			refill = !this.refilling;
			this.refilling = true;
		}
		if (refill) {
			this.slots.refill(this::refilled);
		}
		return turn;
	}

	@Override
	public boolean leave(Waiter waiter) {
		Turn turn = (Turn) waiter;
		synchronized (this) {
			if (turn.done) {
				return false;
			}
			turn.done = true;
			this.waiting--;
			if (!this.unslotted.remove(turn)) {
				this.slotted.remove(turn);
				Disposable timer = turn.timer;
				if (timer != null) {
					timer.dispose();
				}
				this.slots.giveBack(turn.slot);
			}
			return true;
		}
	}

	/** A rate holds nothing once passed. */
	@Override
	public void release(long weight) {
	}

	/** Changes the interval for the slots taken from now on. */
	void interval(long intervalNanos) {
		synchronized (this) {
			this.slots.interval(intervalNanos);
		}
	}

	/** The interval between slots now. */
	synchronized long interval() {
		return this.slots.interval();
	}

	/** No slot before {@code nanos} from now: an upstream asked for a pause. */
	void pause(long nanos) {
		long until = this.nanoTime.getAsLong() + nanos;
		synchronized (this) {
			this.slots.notBefore(until);
		}
	}

	/**
	 * Lets every caller waiting now through at once, whatever slots they hold: the rate is being
	 * dropped (a throttled host has recovered) and nobody should wait out a slot of it.
	 */
	void openAll() {
		List<Turn> ready = new ArrayList<>();
		synchronized (this) {
			ready.addAll(this.slotted);
			ready.addAll(this.unslotted);
			this.slotted.clear();
			this.unslotted.clear();
			for (Turn turn : ready) {
				turn.done = true;
				Disposable timer = turn.timer;
				if (timer != null) {
					timer.dispose();
				}
			}
			this.waiting -= ready.size();
		}
		ready.forEach((turn) -> turn.granted.run());
	}

	/** Callers waiting for their slot now. */
	synchronized int waiting() {
		return this.waiting;
	}

	/** Whether nobody waits: the pace can be dropped (its next slot is then forgotten). */
	synchronized boolean isIdle() {
		return this.waiting == 0;
	}

	private void due(Turn turn) {
		synchronized (this) {
			if (turn.done) {
				return;
			}
			turn.done = true;
			this.waiting--;
			this.slotted.remove(turn);
		}
		turn.granted.run();
	}

	/** More slots arrived (or the store could not be reached and slots are made here): hand them out. */
	private void refilled() {
		long now = this.nanoTime.getAsLong();
		List<Turn> ready = new ArrayList<>();
		boolean again;
		synchronized (this) {
			this.refilling = false;
			while (!this.unslotted.isEmpty()) {
				long slot = this.slots.take(now);
				if (slot == Slots.NONE) {
					break;
				}
				Turn turn = this.unslotted.pollFirst();
				turn.slot = slot;
				if (slot <= now) {
					turn.done = true;
					this.waiting--;
					ready.add(turn);
				}
				else {
					this.slotted.add(turn);
					turn.timer = this.timer.schedule(() -> due(turn), slot - now, TimeUnit.NANOSECONDS);
				}
			}
			again = !this.unslotted.isEmpty();
			this.refilling = again;
		}
		ready.forEach((turn) -> turn.granted.run());
		if (again) {
			this.slots.refill(this::refilled);
		}
	}

	/** One caller's turn: its slot, and the timer that lets it through then. */
	private static final class Turn extends Waiter {

		long slot;

		@Nullable Disposable timer;

		/** Let through, or left: guarded by the pace. */
		boolean done;

		Turn(Runnable granted) {
			super(1, granted);
		}

	}

	/**
	 * Where a pace's slots come from. Called under the pace's lock, so quick and never blocking; times
	 * are nanoseconds on the pace's clock.
	 */
	interface Slots {

		/** No slot to take now: {@link #refill} asks for more. */
		long NONE = Long.MIN_VALUE;

		/** The next free slot, not before {@code now}, taken; or {@link #NONE}. */
		long take(long now);

		/** Gives back a slot taken and not used, if that is still possible. */
		void giveBack(long slot);

		/** Asks for more slots; {@code done} runs once some can be taken (or never will, and take makes them). */
		default void refill(Runnable done) {
			done.run();
		}

		void interval(long intervalNanos);

		long interval();

		/** No slot before {@code nanos}. */
		void notBefore(long nanos);

	}

	/** Slots of this process alone: the next one is an interval after the last one taken. */
	static final class LocalSlots implements Slots {

		private long interval;

		/** The earliest time the next slot may be at. */
		private long next = Long.MIN_VALUE;

		LocalSlots(long intervalNanos) {
			this.interval = Math.max(1, intervalNanos);
		}

		@Override
		public long take(long now) {
			long slot = Math.max(this.next, now);
			this.next = slot + this.interval;
			return slot;
		}

		@Override
		public void giveBack(long slot) {
			if (slot + this.interval == this.next) {
				this.next = slot;
			}
		}

		@Override
		public void interval(long intervalNanos) {
			long interval = Math.max(1, intervalNanos);
			if (this.next != Long.MIN_VALUE) {
				// The slot already promised stays; the ones after it follow the new interval.
				this.next += interval - this.interval;
			}
			this.interval = interval;
		}

		@Override
		public long interval() {
			return this.interval;
		}

		@Override
		public void notBefore(long nanos) {
			this.next = Math.max(this.next, nanos);
		}

	}

}
