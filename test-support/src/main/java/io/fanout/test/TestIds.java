package io.fanout.test;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered (version 7) ids for tests that insert jobs directly into a store, increasing in
 * creation order.
 */
public final class TestIds {

	private static final AtomicLong counter = new AtomicLong();

	private TestIds() {
	}

	public static UUID next(Instant at) {
		long count = counter.incrementAndGet();
		long millis = at.toEpochMilli() + (count >>> 12);
		return new UUID((millis << 16) | 0x7000L | (count & 0xFFF), 0x8000000000000000L | count);
	}

}
