package io.fanout.api.security;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * An API key as presented (unauthenticated, the key as credentials), or the tenant it belongs to
 * (authenticated, the tenant as principal and name, and the key's {@link Access} as authorities).
 */
final class ApiKeyAuthenticationToken extends AbstractAuthenticationToken {

	private final @Nullable String tenant;

	private @Nullable String key;

	private ApiKeyAuthenticationToken(@Nullable String tenant, @Nullable String key,
			List<GrantedAuthority> authorities) {
		super(authorities);
		this.tenant = tenant;
		this.key = key;
		setAuthenticated(tenant != null);
	}

	static ApiKeyAuthenticationToken unauthenticated(String key) {
		return new ApiKeyAuthenticationToken(null, key, List.of());
	}

	static ApiKeyAuthenticationToken authenticated(String tenant, Access access) {
		return new ApiKeyAuthenticationToken(tenant, null, access.authorities());
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
