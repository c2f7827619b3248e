package io.fanout.fetch.ssrf;

import java.io.IOException;

/**
 * Raised at connect time when a target resolves only to refused addresses. It is an
 * {@link IOException} so that Netty treats it as a connect failure.
 */
public class BlockedAddressException extends IOException {

	public BlockedAddressException(String message) {
		super(message);
	}

}
