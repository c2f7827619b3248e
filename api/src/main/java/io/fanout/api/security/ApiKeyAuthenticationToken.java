package io.fanout.api.security;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * An API key as presented (unauthenticated, the key as credentials), or the tenant it belongs to
 * (authenticated, the tenant as principal and name).
 */
final class ApiKeyAuthenticationToken extends AbstractAuthenticationToken {

	private final @Nullable String tenant;

	private @Nullable String key;

	private ApiKeyAuthenticationToken(@Nullable String tenant, @Nullable String key) {
		super(List.of());
		this.tenant = tenant;
		this.key = key;
		setAuthenticated(tenant != null);
	}

	static ApiKeyAuthenticationToken unauthenticated(String key) {
		return new ApiKeyAuthenticationToken(null, key);
	}

	static ApiKeyAuthenticationToken authenticated(String tenant) {
		return new ApiKeyAuthenticationToken(tenant, null);
	}

	@Override
	public @Nullable Object getCredentials() {
		return this.key;
	}

	@Override
	public @Nullable Object getPrincipal() {
		return this.tenant;
	}

	@Override
	public void eraseCredentials() {
		super.eraseCredentials();
		this.key = null;
	}

}
