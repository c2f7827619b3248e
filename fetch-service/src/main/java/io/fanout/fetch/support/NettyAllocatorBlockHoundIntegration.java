package io.fanout.fetch.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells BlockHound, when it is installed (in the test suites), about a short lock inside Netty
 * 4.2's adaptive buffer allocator: when its magazines are expanded or freed it takes a
 * {@code StampedLock} write lock held for a few instructions. Netty's own integration whitelists the
 * equivalent locks of its older pooled allocator but not these, so a buffer allocated on a Reactor
 * parallel thread is reported as blocking. Only these two Netty methods are allowed; everything
 * else stays checked. Without BlockHound on the class path this class is never loaded.
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
	}

}
