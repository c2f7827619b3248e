package io.fanout.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, shared safely between threads.
 */
public final class SettableClock extends Clock {

	private final AtomicReference<Instant> now;

	public SettableClock(Instant start) {
		this.now = new AtomicReference<>(start);
	}

	/** A clock at a fixed, whole-second instant. */
	public static SettableClock startingAt2030() {
		return new SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
	}

	public void advance(Duration duration) {
		this.now.updateAndGet((instant) -> instant.plus(duration));
	}

	public void set(Instant instant) {
		this.now.set(instant);
	}

	@Override
	public Instant instant() {
		return this.now.get();
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException("a settable clock is always in UTC");
	}

}
