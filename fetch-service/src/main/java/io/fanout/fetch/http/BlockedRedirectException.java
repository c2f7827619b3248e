package io.fanout.fetch.http;

import io.fanout.fetch.ssrf.BlockedAddressException;

/**
 * A redirect hop refused by the SSRF rules. Unlike a refused first hop, a request was sent (to the
 * server that redirected), so the attempt counts.
 */
final class BlockedRedirectException extends BlockedAddressException {

	BlockedRedirectException(String message) {
		super(message);
	}

}
