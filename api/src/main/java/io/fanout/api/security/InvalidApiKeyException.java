package io.fanout.api.security;

import org.springframework.security.authentication.BadCredentialsException;

/**
 * An {@code X-API-Key} that matches no configured key.
 */
final class InvalidApiKeyException extends BadCredentialsException {

	InvalidApiKeyException() {
		super("The API key is not valid.");
	}

}
