package io.fanout.fetch.http;

import java.util.ArrayList;
import java.util.List;

import io.fanout.fetch.admission.Admission;
import reactor.core.publisher.Mono;

/**
 * The room one request's body holds in the memory budget. A body is read unaccounted up to
 * {@link #FREE} bytes; beyond, it waits for room: for its declared length before the first byte is
 * read, or for the rest of what it may read when it grows past what it holds. So a request waiting
 * for room holds none (but when a compressed body grows past its declared length), and no two
 * requests wait for each other's room. Given back when the request's outcome is made, and before
 * each new attempt.
 */
final class MemoryHold {

	/** Bytes of a body read before it takes room in the budget: most bodies never do. */
	static final int FREE = 16 * 1024;

	private final Admission admission;

	private final List<Admission.Permit> permits = new ArrayList<>(1);

	private long reserved;

	MemoryHold(Admission admission) {
		this.admission = admission;
	}

	/** Whether a body of {@code size} bytes fits in what is held. */
	synchronized boolean covers(long size) {
		return size - FREE <= this.reserved;
	}

	/** Waits for room until a body of {@code size} bytes fits; completes at once if it does. */
	Mono<Void> growTo(long size) {
		long missing;
		synchronized (this) {
			missing = size - FREE - this.reserved;
		}
		if (missing <= 0) {
			return Mono.empty();
		}
		return this.admission.reserve(missing).doOnNext((permit) -> add(permit, missing)).then();
	}

	private synchronized void add(Admission.Permit permit, long bytes) {
		this.permits.add(permit);
		this.reserved += bytes;
	}

	/** Gives every byte held back. */
	void release() {
		List<Admission.Permit> held;
		synchronized (this) {
			held = new ArrayList<>(this.permits);
			this.permits.clear();
			this.reserved = 0;
		}
		held.forEach(Admission.Permit::release);
	}

}
