package io.fanout.fetch.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound, when it is installed (in the test suites), about short locks in libraries the
 * fetch path runs through. Each is a lock held for a few instructions that parks only when two
 * threads meet on it; they are allowed by method, and everything else stays checked. Without
 * BlockHound on the class path this class is never loaded.
 * <ul>
 * <li>Netty 4.2's adaptive buffer allocator takes a {@code StampedLock} write lock when it expands
 * or frees its magazines. Netty's own integration whitelists the equivalent locks of its older pooled
 * allocator but not these, so a buffer allocated on a Reactor parallel thread is reported.</li>
 * <li>Resilience4j's Spring Boot support attaches a ring buffer of recent events to every bulkhead
 * and circuit breaker, and adds each event under a {@code StampedLock} write lock. Two event loops
 * recording events for one host at once meet there.</li>
 * </ul>
 */
public final class ShortLocksBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
		builder.allowBlockingCallsInside("io.github.resilience4j.circularbuffer.ConcurrentEvictingQueue",
				"writeConcurrently");
	}

}
