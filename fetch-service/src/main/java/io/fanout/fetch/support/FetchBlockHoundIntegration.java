package io.fanout.fetch.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound, when it is installed (in the test suites), what the fetch path must never do on
 * a non-blocking thread, and which short locks it may meet there. Without BlockHound on the class
 * path this class is never loaded.
 * <p>
 * Applying extraction rules is marked blocking: it is CPU work in proportion to a body chosen by a
 * tenant, and on an event loop it would stall every other request of that loop. Any code path that
 * ran it there fails a test.
 * <p>
 * The short locks are held for a few instructions and park only when two threads meet on them; they
 * are allowed by method, and everything else stays checked:
 * <ul>
 * <li>Netty 4.2's adaptive buffer allocator takes a {@code StampedLock} write lock when it expands
 * or frees its magazines. Netty's own integration whitelists the equivalent locks of its older pooled
 * allocator but not these, so a buffer allocated on a Reactor parallel thread is reported.</li>
 * <li>Resilience4j's Spring Boot support attaches a ring buffer of recent events to every bulkhead
 * and circuit breaker, and adds each event under a {@code StampedLock} write lock. Two event loops
 * recording events for one host at once meet there.</li>
 * </ul>
 */
public final class FetchBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.markAsBlocking("io.fanout.fetch.extract.Extraction$Rules", "apply", "(Ljava/lang/String;)Ljava/util/Map;");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
		builder.allowBlockingCallsInside("io.github.resilience4j.circularbuffer.ConcurrentEvictingQueue",
				"writeConcurrently");
	}

}
