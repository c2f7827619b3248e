package io.fanout.fetch.support;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * State kept per key (an upstream host, a tenant and host) whose number of keys callers decide:
 * at most {@code maxEntries} of them, dropping the ones used least recently among those that are
 * idle when the bound is passed, and every idle one unused for {@code idleExpiry}. An entry that is
 * in use is never dropped, so the registry can hold more than the bound while more keys than that
 * are busy at once; that many is bounded by the requests in flight. A dropped entry is simply made
 * anew when its key comes back.
 *
 * @param <V> the state
 */
public final class BoundedRegistry<V> {

	private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();

	private final int maxEntries;

	private final long idleExpiryNanos;

	private final Predicate<V> idle;

	private final LongSupplier nanoTime;

	private final AtomicBoolean sweeping = new AtomicBoolean();

	private volatile long lastSweep;

	/**
	 * @param maxEntries most entries kept, beyond those in use
	 * @param idleExpiryNanos how long an idle entry is kept unused
	 * @param idle whether a value can be dropped now
	 * @param nanoTime the clock, {@code System::nanoTime} but in tests
	 */
	public BoundedRegistry(int maxEntries, long idleExpiryNanos, Predicate<V> idle, LongSupplier nanoTime) {
		if (maxEntries < 1) {
			throw new IllegalArgumentException("maxEntries must be at least 1");
		}
		this.maxEntries = maxEntries;
		this.idleExpiryNanos = idleExpiryNanos;
		this.idle = idle;
		this.nanoTime = nanoTime;
		this.lastSweep = nanoTime.getAsLong();
	}

	/** The value of {@code key}, made by {@code factory} if there is none. */
	public V get(String key, Function<String, V> factory) {
		long now = this.nanoTime.getAsLong();
		Entry<V> entry = this.entries.get(key);
		if (entry == null) {
			entry = this.entries.computeIfAbsent(key, (name) -> new Entry<>(factory.apply(name)));
			if (this.entries.size() > this.maxEntries) {
				sweep(now);
			}
		}
		entry.lastUsed = now;
		if (now - this.lastSweep > this.idleExpiryNanos) {
			sweep(now);
		}
		return entry.value;
	}

	/** The value of {@code key} if there is one; does not count as a use. */
	public V find(String key) {
		Entry<V> entry = this.entries.get(key);
		return (entry != null) ? entry.value : null;
	}

	/** Drops {@code key} now if its value is idle. */
	public void forget(String key) {
		this.entries.computeIfPresent(key, (name, entry) -> this.idle.test(entry.value) ? null : entry);
	}

	/** How many entries there are now. */
	public int size() {
		return this.entries.size();
	}

	/** The keys and values there are now, for read-only views. */
	public Map<String, V> snapshot() {
		Map<String, V> values = new java.util.LinkedHashMap<>();
		this.entries.forEach((key, entry) -> values.put(key, entry.value));
		return values;
	}

	/**
	 * Drops idle entries unused for the expiry, then, while over the bound, the idle ones used least
	 * recently. One caller sweeps at a time; the others go on.
	 */
	private void sweep(long now) {
		if (!this.sweeping.compareAndSet(false, true)) {
			return;
		}
		try {
			this.lastSweep = now;
			this.entries.entrySet()
				.removeIf((e) -> now - e.getValue().lastUsed > this.idleExpiryNanos && this.idle.test(e.getValue().value));
			int excess = this.entries.size() - this.maxEntries;
			if (excess <= 0) {
				return;
			}
			List<Map.Entry<String, Entry<V>>> idle = new ArrayList<>();
			this.entries.entrySet().forEach((e) -> {
				if (this.idle.test(e.getValue().value)) {
					idle.add(e);
				}
			});
			idle.sort(Comparator.comparingLong((Map.Entry<String, Entry<V>> e) -> e.getValue().lastUsed));
			// Down to nine tenths of the bound, so that the next sweep is not one key away.
			int drop = Math.min(idle.size(), excess + this.maxEntries / 10);
			for (int i = 0; i < drop; i++) {
				Map.Entry<String, Entry<V>> e = idle.get(i);
				this.entries.remove(e.getKey(), e.getValue());
			}
		}
		finally {
			this.sweeping.set(false);
		}
	}

	private static final class Entry<V> {

		final V value;

		volatile long lastUsed;

		Entry(V value) {
			this.value = value;
		}

	}

}
