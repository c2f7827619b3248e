package io.fanout.api.security;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the API's authentication.
 *
 * @param apiKeys API keys by tenant: {@code fanout.security.api-keys.<tenant>=<key>}, or the
 * environment variable {@code FANOUT_SECURITY_API_KEYS_<TENANT>} (the tenant name is then lower
 * case); when empty and no JWT resource server is configured, a key for the tenant {@code default} is
 * generated at startup and logged once
 * @param jwt how bearer JWTs map to tenants, when
 * {@code spring.security.oauth2.resourceserver.jwt.*} is configured
 */
@ConfigurationProperties("fanout.security")
public record FanoutSecurityProperties(@DefaultValue Map<String, String> apiKeys, @DefaultValue Jwt jwt) {

	public FanoutSecurityProperties {
		apiKeys = Map.copyOf(apiKeys);
	}

	/**
	 * Bearer JWT settings.
	 *
	 * @param tenantClaim the claim whose value is the tenant
	 */
	public record Jwt(@DefaultValue("sub") String tenantClaim) {

		public Jwt {
			if (tenantClaim == null || tenantClaim.isBlank()) {
				throw new IllegalArgumentException("fanout.security.jwt.tenant-claim must not be blank");
			}
		}

	}

}
