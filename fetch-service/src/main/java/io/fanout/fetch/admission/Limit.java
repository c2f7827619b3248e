package io.fanout.fetch.admission;

import org.jspecify.annotations.Nullable;

/**
 * One thing a request may have to wait for: room under a concurrency bound ({@link Gate}) or its
 * turn under a rate ({@link Pace}). A caller that cannot pass at once leaves a callback behind, run
 * later by whichever thread makes the room or reaches the time; no thread waits. For a waiter,
 * exactly one of two things happens: {@link #leave} takes it out, or its callback runs.
 */
interface Limit {

	/**
	 * Passes now, or queues; {@code granted} runs when the caller may go on.
	 * @return null if the caller passed now ({@code granted} does not run), else the entry to
	 * {@link #leave} on cancellation
	 */
	@Nullable Waiter enter(long weight, Runnable granted);

	/**
	 * Takes {@code waiter} out, if it is still waiting.
	 * @return whether it was still waiting (false: it passed meanwhile, and holds what it passed with)
	 */
	boolean leave(Waiter waiter);

	/** Gives back what a caller that passed with {@code weight} holds, if anything. */
	void release(long weight);

	/** One caller waiting; identity matters, not value. */
	class Waiter {

		final long weight;

		final Runnable granted;

		Waiter(long weight, Runnable granted) {
			this.weight = weight;
			this.granted = granted;
		}

	}

}
