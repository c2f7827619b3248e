package io.fanout.api.security;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the API's authentication.
 *
 * @param apiKeys API keys by tenant: {@code fanout.security.api-keys.<tenant>=<key>}, or the
 * environment variable {@code FANOUT_SECURITY_API_KEYS_<TENANT>} (the tenant name is then lower
 * case); when empty and no JWT resource server is configured, a key for the tenant {@code default} is
 * generated at startup and logged once. Tenant names of API keys may not contain {@code :}, which is
 * reserved for tenants of other sources ({@code jwt:<claim>})
 * @param viewerKeys read-only API keys by tenant, {@code fanout.security.viewer-keys.<tenant>=<key>}: a
 * viewer key reads the tenant's jobs, results, schedules and limits (for the dashboard, say) and gets a
 * 403 for anything that would change them. A tenant may have both kinds; no key may be both
 * @param jwt how bearer JWTs map to tenants, when
 * {@code spring.security.oauth2.resourceserver.jwt.*} is configured
 */
@ConfigurationProperties("fanout.security")
public record FanoutSecurityProperties(@DefaultValue Map<String, String> apiKeys,
		@DefaultValue Map<String, String> viewerKeys, @DefaultValue Jwt jwt) {

	public FanoutSecurityProperties {
		apiKeys = Map.copyOf(apiKeys);
		viewerKeys = Map.copyOf(viewerKeys);
	}

	/**
	 * Bearer JWT settings. With JWTs on, an issuer and an audience are required (here or in Spring
	 * Boot's {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} and {@code .audiences}), and
	 * every token must carry {@code exp}.
	 *
	 * @param tenantClaim the claim whose value names the tenant; the tenant is {@code jwt:<value>}, so
	 * that it never equals an API-key tenant
	 * @param issuer the {@code iss} that every token must carry; when unset,
	 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (which, unlike this, makes Spring
	 * Boot discover the keys from the issuer unless {@code jwk-set-uri} is set)
	 * @param audiences the audiences of which every token's {@code aud} must name at least one; when
	 * empty, {@code spring.security.oauth2.resourceserver.jwt.audiences}
	 */
	public record Jwt(@DefaultValue("sub") String tenantClaim, @Nullable String issuer,
			@DefaultValue List<String> audiences) {

		public Jwt {
			if (tenantClaim == null || tenantClaim.isBlank()) {
				throw new IllegalArgumentException("fanout.security.jwt.tenant-claim must not be blank");
			}
			if (issuer != null && issuer.isBlank()) {
				issuer = null;
			}
			audiences = (audiences != null) ? audiences.stream().filter((audience) -> !audience.isBlank()).toList()
					: List.of();
		}

	}

}
