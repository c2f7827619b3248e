package io.fanout.fetch.admission;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The slots of a rate shared by every replica: leased from {@link SlotLeases} in blocks of about
 * {@value #BLOCK_MILLIS} ms of the rate, spent at their times. The store's times become this
 * process's through the offset between the two clocks, measured at each lease and taken from the
 * lease that came back fastest of the last {@value #SAMPLES} (so it is off by at most half that
 * round trip); slots are asked for far enough ahead, twice the slowest recent round trip, to be
 * known before they come. A slot whose time has passed by more than half an interval is not used:
 * another replica may be sending at its own slot then. While the store cannot be reached, slots are
 * made here as by a rate of this process alone, for {@value #FALLBACK_SECONDS} s before the store is
 * tried again.
 */
final class LeasedSlots implements Pace.Slots {

	private static final Log logger = LogFactory.getLog(LeasedSlots.class);

	static final int BLOCK_MILLIS = 100;

	static final int MAX_BLOCK = 1000;

	static final int FALLBACK_SECONDS = 5;

	static final int SAMPLES = 16;

	private static final long MAX_LEAD_NANOS = Duration.ofSeconds(1).toNanos();

	private final String key;

	private final SlotLeases leases;

	private final LongSupplier nanoTime;

	private final Pace.LocalSlots fallback;

	private long interval;

	/** The next leased slot and how many are left from it. */
	private long next;

	private int left;

	/** Until when slots are made here; Long.MIN_VALUE while the store answers. */
	private long fallbackUntil = Long.MIN_VALUE;

	/** Round trips and clock offsets (this process's nanoTime minus the store's epoch nanos) of recent leases. */
	private final long[] roundTrips = new long[SAMPLES];

	private final long[] offsets = new long[SAMPLES];

	private int samples;

	LeasedSlots(String key, long intervalNanos, SlotLeases leases, LongSupplier nanoTime) {
		this.key = key;
		this.leases = leases;
		this.nanoTime = nanoTime;
		this.interval = Math.max(1, intervalNanos);
		this.fallback = new Pace.LocalSlots(this.interval);
	}

	@Override
	public synchronized long take(long now) {
		if (now < this.fallbackUntil) {
			return this.fallback.take(now);
		}
		while (this.left > 0 && this.next < now - this.interval / 2) {
			this.next += this.interval;
			this.left--;
		}
		if (this.left == 0) {
			return NONE;
		}
		long slot = Math.max(this.next, now);
		this.next += this.interval;
		this.left--;
		return slot;
	}

	@Override
	public synchronized void giveBack(long slot) {
		if (this.left > 0 && slot == this.next - this.interval) {
			this.next = slot;
			this.left++;
		}
		else {
			this.fallback.giveBack(slot);
		}
	}

	@Override
	public void refill(Runnable done) {
		long interval;
		long lead;
		synchronized (this) {
			if (this.nanoTime.getAsLong() < this.fallbackUntil) {
				done.run();
				return;
			}
			interval = this.interval;
			lead = lead();
		}
		int count = (int) Math.max(1, Math.min(MAX_BLOCK, Duration.ofMillis(BLOCK_MILLIS).toNanos() / interval));
		long sent = this.nanoTime.getAsLong();
		this.leases.lease(this.key, Duration.ofNanos(interval), count, Duration.ofNanos(lead)).subscribe((lease) -> {
			long received = this.nanoTime.getAsLong();
			synchronized (this) {
				long offset = sample(received - sent, sent + (received - sent) / 2 - epochNanos(lease.now()));
				this.next = epochNanos(lease.first()) + offset;
				this.left = count;
			}
			done.run();
		}, (failure) -> {
			logger.warn("Could not lease rate slots of " + this.key + " (" + failure + "); this replica paces it "
					+ "alone for " + FALLBACK_SECONDS + " s");
			synchronized (this) {
				this.fallbackUntil = this.nanoTime.getAsLong() + Duration.ofSeconds(FALLBACK_SECONDS).toNanos();
			}
			done.run();
		});
	}

	/** Records a lease's round trip and offset; the offset to use: that of the fastest recent lease. */
	private long sample(long roundTrip, long offset) {
		int at = this.samples % SAMPLES;
		this.roundTrips[at] = roundTrip;
		this.offsets[at] = offset;
		this.samples++;
		int best = 0;
		for (int i = 1; i < Math.min(this.samples, SAMPLES); i++) {
			if (this.roundTrips[i] < this.roundTrips[best]) {
				best = i;
			}
		}
		return this.offsets[best];
	}

	/** How far ahead to ask for slots: twice the slowest recent round trip, at most a second. */
	private long lead() {
		long slowest = 0;
		for (int i = 0; i < Math.min(this.samples, SAMPLES); i++) {
			slowest = Math.max(slowest, this.roundTrips[i]);
		}
		return Math.min(MAX_LEAD_NANOS, 2 * slowest);
	}

	private static long epochNanos(Instant instant) {
		return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
	}

	@Override
	public synchronized void interval(long intervalNanos) {
		this.interval = Math.max(1, intervalNanos);
		this.fallback.interval(this.interval);
	}

	@Override
	public synchronized long interval() {
		return this.interval;
	}

	@Override
	public synchronized void notBefore(long nanos) {
		while (this.left > 0 && this.next < nanos) {
			this.next += this.interval;
			this.left--;
		}
		this.fallback.notBefore(nanos);
	}

}
