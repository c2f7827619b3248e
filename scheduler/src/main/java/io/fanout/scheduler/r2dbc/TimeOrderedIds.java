package io.fanout.scheduler.r2dbc;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Version 7 UUIDs (RFC 9562): 48 bits of Unix milliseconds from the clock, then a 12-bit counter, so
 * that ids generated here sort in generation order, and by time across nodes. That order is what
 * listing pages by. Jobs and schedules take their ids from it.
 * <p>
 * Random bits come from {@link ThreadLocalRandom}: ids are not secrets (every read is scoped to the
 * owner), and {@code SecureRandom} may block on entropy, which an event loop must not.
 */
public final class TimeOrderedIds {

	private final Clock clock;

	/** Milliseconds shifted left 12 bits, plus the counter: incrementing carries into the time. */
	private final AtomicLong last = new AtomicLong();

	public TimeOrderedIds(Clock clock) {
		this.clock = clock;
	}

	/** A new id, after every id this instance generated before. */
	public UUID next() {
		long stamp = this.last.updateAndGet((previous) -> {
			long now = this.clock.millis() << 12;
			// A new millisecond starts its counter at a random point of the lower half, leaving room.
			return (now > previous) ? now | ThreadLocalRandom.current().nextLong(0x800) : previous + 1;
		});
		long millis = stamp >>> 12;
		long counter = stamp & 0xFFF;
		long mostSignificant = (millis << 16) | (0x7L << 12) | counter;
		long leastSignificant = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(mostSignificant, leastSignificant);
	}

}
