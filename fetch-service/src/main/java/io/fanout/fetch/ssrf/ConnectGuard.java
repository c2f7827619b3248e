package io.fanout.fetch.ssrf;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * The last line of SSRF defence: sits in every upstream channel's pipeline and fails a connect to
 * a refused address before the socket is opened, whatever path the address took to get here.
 */
@ChannelHandler.Sharable
public final class ConnectGuard extends ChannelOutboundHandlerAdapter {

	/** Name of the handler in the pipeline. */
	public static final String NAME = "fanout.connectGuard";

	private final AddressRule rule;

	public ConnectGuard(AddressRule rule) {
		this.rule = rule;
	}

	@Override
	public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise)
			throws Exception {
		if (remote instanceof InetSocketAddress inet) {
			if (inet.isUnresolved()) {
				promise.tryFailure(new BlockedAddressException("connection to unresolved " + inet.getHostString()
						+ " refused: addresses must be checked before connecting"));
				return;
			}
			Optional<String> blocked = this.rule.blockReason(inet.getAddress());
			if (blocked.isPresent()) {
				promise.tryFailure(new BlockedAddressException("connection to " + inet.getAddress().getHostAddress()
						+ " refused: it is " + blocked.get()));
				return;
			}
		}
		super.connect(ctx, remote, local, promise);
	}

}
