package io.fanout.api.security;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;

/**
 * Authenticates an {@link ApiKeyAuthenticationToken} against the configured {@link ApiKeys}: the
 * result names the key's tenant; an unknown key fails with {@link InvalidApiKeyException}.
 */
final class ApiKeyAuthenticationManager implements ReactiveAuthenticationManager {

	private final ApiKeys keys;

	ApiKeyAuthenticationManager(ApiKeys keys) {
		this.keys = keys;
	}

	@Override
	public Mono<Authentication> authenticate(Authentication authentication) {
		if (!(authentication instanceof ApiKeyAuthenticationToken)
				|| !(authentication.getCredentials() instanceof String key)) {
			return Mono.empty();
		}
		return Mono.fromSupplier(() -> {
			ApiKeys.Holder holder = this.keys.holderOf(key);
			if (holder == null) {
				throw new InvalidApiKeyException();
			}
			return ApiKeyAuthenticationToken.authenticated(holder.tenant(),
					holder.readOnly() ? Access.READ_ONLY : Access.READ_WRITE);
		});
	}

}
