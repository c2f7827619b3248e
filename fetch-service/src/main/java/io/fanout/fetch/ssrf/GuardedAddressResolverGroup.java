package io.fanout.fetch.ssrf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.core.scheduler.Scheduler;

/**
 * Resolves upstream host names and drops every address the {@link AddressRule} refuses, failing
 * with {@link BlockedAddressException} when none is left, so no connection is ever attempted to a
 * refused address. IP literals go through the same check. Lookups may block, so they run on a
 * scheduler made for that, never on the event loop.
 */
public final class GuardedAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	private final HostLookup lookup;

	private final AddressRule rule;

	private final Scheduler blockingScheduler;

	public GuardedAddressResolverGroup(HostLookup lookup, AddressRule rule, Scheduler blockingScheduler) {
		this.lookup = lookup;
		this.rule = rule;
		this.blockingScheduler = blockingScheduler;
	}

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
		return new GuardedResolver(executor);
	}

	private final class GuardedResolver extends AbstractAddressResolver<InetSocketAddress> {

		GuardedResolver(EventExecutor executor) {
			super(executor, InetSocketAddress.class);
		}

		@Override
		protected boolean doIsResolved(InetSocketAddress address) {
			// Never short-circuit: resolved addresses and IP literals must be checked too.
			return false;
		}

		@Override
		protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise) {
			resolve(address, new Callback() {
				@Override
				public void resolved(List<InetSocketAddress> addresses) {
					promise.trySuccess(addresses.get(0));
				}

				@Override
				public void failed(Throwable failure) {
					promise.tryFailure(failure);
				}
			});
		}

		@Override
		protected void doResolveAll(InetSocketAddress address, Promise<List<InetSocketAddress>> promise) {
			resolve(address, new Callback() {
				@Override
				public void resolved(List<InetSocketAddress> addresses) {
					promise.trySuccess(addresses);
				}

				@Override
				public void failed(Throwable failure) {
					promise.tryFailure(failure);
				}
			});
		}

		private void resolve(InetSocketAddress address, Callback callback) {
			if (!address.isUnresolved()) {
				complete(address.getHostString(), new InetAddress[] { address.getAddress() }, address.getPort(), callback);
				return;
			}
			String host = address.getHostString();
			GuardedAddressResolverGroup.this.blockingScheduler.schedule(() -> {
				try {
					complete(host, GuardedAddressResolverGroup.this.lookup.lookup(host), address.getPort(), callback);
				}
				catch (Exception ex) {
					callback.failed(ex);
				}
			});
		}

		private void complete(String host, InetAddress[] candidates, int port, Callback callback) {
			List<InetSocketAddress> permitted = new ArrayList<>(candidates.length);
			String reason = null;
			for (InetAddress candidate : candidates) {
				Optional<String> blocked = GuardedAddressResolverGroup.this.rule.blockReason(candidate);
				if (blocked.isEmpty()) {
					permitted.add(new InetSocketAddress(candidate, port));
				}
				else if (reason == null) {
					reason = candidate.getHostAddress() + " is " + blocked.get();
				}
			}
			if (permitted.isEmpty()) {
				callback.failed(new BlockedAddressException("connection to " + host + " refused: "
						+ ((reason != null) ? reason : "no address")));
			}
			else {
				callback.resolved(permitted);
			}
		}

	}

	private interface Callback {

		void resolved(List<InetSocketAddress> addresses);

		void failed(Throwable failure);

	}

}
