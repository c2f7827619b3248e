package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * How fast this process sends to one host that has told it to slow down. Each 429 or 503 halves the
 * rate (once per {@value #DECREASE_EVERY_MILLIS} ms at most: a burst of refusals is one signal), from
 * what the host was receiving when it first complained; a {@code Retry-After} also pauses the host
 * until then. Every second without a complaint adds a tenth of the rate at the last decrease. It never
 * goes below {@code minRate}; once it is back at the host's configured rate (or, without one, twice
 * what was sent when it began) and no pause is pending, the throttle lets go, and requests still
 * waiting for a slot of it go at once: a host kept busy recovers as one left idle does. Local to this
 * process: each replica listens to what the host tells it.
 */
final class Throttle {

	static final long DECREASE_EVERY_MILLIS = 1000;

	private static final long SECOND = 1_000_000_000L;

	private final Scheduler timer;

	private final LongSupplier nanoTime;

	private final double minRate;

	private final double ceiling;

	/** Requests sent in the current and the previous second, to know the rate a complaint came at. */
	private long window;

	private int sentNow;

	private int sentBefore;

	private @Nullable Pace pace;

	private double rate;

	private double step;

	private double releaseAt;

	private long lastChange;

	/** Until when (nanos) a {@code Retry-After} pauses the host: the throttle holds at least that long. */
	private long pausedUntil = Long.MIN_VALUE;

	/**
	 * @param minRate slowest rate, requests per second
	 * @param ceiling the host's configured rate, requests per second, or 0 for none
	 */
	Throttle(Scheduler timer, LongSupplier nanoTime, double minRate, double ceiling) {
		this.timer = timer;
		this.nanoTime = nanoTime;
		this.minRate = minRate;
		this.ceiling = ceiling;
	}

	/** Counts a request sent to the host. */
	synchronized void sent() {
		roll(this.nanoTime.getAsLong());
		this.sentNow++;
	}

	/**
	 * The host refused for load (429, 503): slows down.
	 * @param retryAfter how long it asked to be left alone, if it said
	 */
	synchronized void refused(@Nullable Duration retryAfter) {
		long now = this.nanoTime.getAsLong();
		roll(now);
		if (this.pace == null) {
			double observed = Math.max(this.sentBefore, this.sentNow);
			double start = Math.max(this.minRate, (this.ceiling > 0) ? Math.min(this.ceiling, observed) : observed);
			this.rate = Math.max(this.minRate, start / 2);
			this.releaseAt = (this.ceiling > 0) ? this.ceiling : Math.max(2 * start, 2 * this.minRate);
			this.pace = Pace.local(interval(this.rate), this.timer, this.nanoTime);
			this.lastChange = now;
		}
		else if (now - this.lastChange >= DECREASE_EVERY_MILLIS * 1_000_000) {
			this.rate = Math.max(this.minRate, this.rate / 2);
			this.pace.interval(interval(this.rate));
			this.lastChange = now;
		}
		this.step = Math.max(0.1, this.rate / 10);
		if (retryAfter != null && !retryAfter.isNegative() && !retryAfter.isZero()) {
			this.pace.pause(retryAfter.toNanos());
			this.pausedUntil = Math.max(this.pausedUntil, now + retryAfter.toNanos());
		}
	}

	/**
	 * The pace requests to the host go at now, or null while the host has not complained: recovers
	 * by a step for every second since the last change, and lets go once back to full speed (letting
	 * whoever still waits for a slot of it through).
	 */
	@Nullable Pace pace() {
		Pace released;
		synchronized (this) {
			if (this.pace == null) {
				return null;
			}
			long now = this.nanoTime.getAsLong();
			long seconds = (now - this.lastChange) / SECOND;
			if (seconds <= 0) {
				return this.pace;
			}
			this.rate += seconds * this.step;
			this.lastChange += seconds * SECOND;
			if (this.rate < this.releaseAt || now < this.pausedUntil) {
				this.pace.interval(interval(this.rate));
				return this.pace;
			}
			released = this.pace;
			this.pace = null;
		}
		released.openAll();
		return null;
	}

	/** The pace as it is, without recovering: for read-only views. */
	synchronized @Nullable Pace current() {
		return this.pace;
	}

	/** The rate now in requests per second, or 0 while the host has not complained. */
	synchronized double rate() {
		return (this.pace != null) ? this.rate : 0;
	}

	/** Whether the throttle holds nothing: the host can be forgotten. */
	synchronized boolean isIdle() {
		return this.pace == null || this.pace.isIdle();
	}

	private void roll(long now) {
		long second = now / SECOND;
		if (second != this.window) {
			this.sentBefore = (second == this.window + 1) ? this.sentNow : 0;
			this.sentNow = 0;
			this.window = second;
		}
	}

	private static long interval(double perSecond) {
		return (long) (SECOND / perSecond);
	}

}
