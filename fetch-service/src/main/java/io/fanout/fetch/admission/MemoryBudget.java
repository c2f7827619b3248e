package io.fanout.fetch.admission;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import reactor.core.publisher.Mono;

/**
 * The bytes of response bodies the process holds at once, whoever holds them: the fetch client
 * while it reads a body, the scheduler while a stored result waits for the database. A holder that
 * needs more than there is waits, behind those that came first, without holding a thread; it gives
 * room back when it no longer holds the bytes. Sized from the heap, it is what keeps a job of large
 * bodies at high concurrency from exhausting it: past the budget, requests and results wait.
 */
public final class MemoryBudget {

	/** A budget that never makes anyone wait. */
	public static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

	private final Gate gate;

	/** @param bytes the budget */
	public MemoryBudget(long bytes) {
		this.gate = new Gate(bytes);
	}

	/**
	 * Room for {@code bytes} (up to the whole budget), once there is. Cancelling gives the place up, or
	 * the room if it was granted meanwhile.
	 */
	public Mono<Admission.Permit> reserve(long bytes) {
		return Admission.through(List.of(new Admission.Stage(this.gate, Math.max(0, bytes))));
	}

	/**
	 * Counts {@code bytes} that are already in memory, at once, even past the budget: for a holder
	 * that takes over a body another holder read (the scheduler, from the fetch client). Making it
	 * wait could wait forever for room that only its own progress gives back; counting it makes new
	 * reads wait instead.
	 */
	public Admission.Permit take(long bytes) {
		long weight = Math.max(0, bytes);
		this.gate.force(weight);
		AtomicBoolean released = new AtomicBoolean();
		return () -> {
			if (released.compareAndSet(false, true)) {
				this.gate.release(weight);
			}
		};
	}

	/** The budget, in bytes. */
	public long limit() {
		return this.gate.limit();
	}

	/** Bytes held now. */
	public long held() {
		return this.gate.used();
	}

}
