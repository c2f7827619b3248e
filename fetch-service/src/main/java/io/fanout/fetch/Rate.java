package io.fanout.fetch;

import java.time.Duration;

/**
 * At most {@code permits} requests per {@code period}, spread evenly: one every
 * {@code period / permits}, never in bursts. So any window of one period sees at most
 * {@code permits + 1} of them.
 *
 * @param permits requests per period, 1 to {@value #MAX_PERMITS}
 * @param period the period, 1 ms to 1 hour
 */
public record Rate(int permits, Duration period) {

	/** Most permits per period. */
	public static final int MAX_PERMITS = 100_000;

	/** Longest period. */
	public static final Duration MAX_PERIOD = Duration.ofHours(1);

	public Rate {
		if (permits < 1 || permits > MAX_PERMITS) {
			throw new InvalidFetchRequestException("permits", "permits must be between 1 and " + MAX_PERMITS);
		}
		if (period == null || period.toMillis() < 1 || period.compareTo(MAX_PERIOD) > 0) {
			throw new InvalidFetchRequestException("period", "period must be between 1 ms and 1 hour");
		}
	}

	/** {@code permits} per second. */
	public static Rate perSecond(int permits) {
		return new Rate(permits, Duration.ofSeconds(1));
	}

	/** The time between two requests, at least 1 ns. */
	public long intervalNanos() {
		return Math.max(1, this.period.toNanos() / this.permits);
	}

	/** Requests per second, as a number. */
	public double perSecond() {
		return this.permits * 1e9 / this.period.toNanos();
	}

	@Override
	public String toString() {
		return this.permits + "/" + this.period;
	}

}
