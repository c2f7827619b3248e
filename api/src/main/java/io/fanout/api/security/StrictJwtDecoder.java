package io.fanout.api.security;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * The resource server's decoder with Fanout's own rules on top, whichever decoder Spring Boot (or the
 * application) configured: every token must name the configured issuer, at least one of the
 * configured audiences, and an expiry that has not passed. A token that breaks a rule fails as a bad
 * JWT, which the resource server answers with {@code 401}.
 */
final class StrictJwtDecoder implements ReactiveJwtDecoder {

	private static final String PREFIX = "spring.security.oauth2.resourceserver.jwt.";

	private final ReactiveJwtDecoder delegate;

	private final OAuth2TokenValidator<Jwt> rules;

	private StrictJwtDecoder(ReactiveJwtDecoder delegate, OAuth2TokenValidator<Jwt> rules) {
		this.delegate = delegate;
		this.rules = rules;
	}

	/**
	 * The decoder under the configured issuer and audiences: Fanout's settings first, then Spring
	 * Boot's; fails when either is missing, so that JWTs are never accepted from any issuer or for any
	 * audience.
	 */
	static StrictJwtDecoder of(ReactiveJwtDecoder delegate, FanoutSecurityProperties.Jwt settings,
			OAuth2ResourceServerProperties.@Nullable Jwt boot) {
		String issuer = (settings.issuer() != null) ? settings.issuer()
				: (boot != null && boot.getIssuerUri() != null && !boot.getIssuerUri().isBlank()) ? boot.getIssuerUri()
						: null;
		List<String> audiences = !settings.audiences().isEmpty() ? settings.audiences()
				: (boot != null) ? boot.getAudiences().stream().filter((audience) -> !audience.isBlank()).toList()
						: List.of();
		List<String> missing = new ArrayList<>();
		if (issuer == null) {
			missing.add("an issuer (fanout.security.jwt.issuer or " + PREFIX + "issuer-uri)");
		}
		if (audiences.isEmpty()) {
			missing.add("an audience (fanout.security.jwt.audiences or " + PREFIX + "audiences)");
		}
		if (!missing.isEmpty()) {
			throw new IllegalStateException("Bearer JWTs are accepted (" + PREFIX + "* is set) but "
					+ String.join(" and ", missing) + " is not configured: without it, tokens issued by anyone the "
					+ "key trusts, or meant for any service, would be accepted.");
		}
		return new StrictJwtDecoder(delegate, new DelegatingOAuth2TokenValidator<>(List.of(
				new JwtTimestampValidator(), expiryRequired(), issuer(issuer), audience(audiences))));
	}

	@Override
	public Mono<Jwt> decode(String token) {
		return Mono.defer(() -> this.delegate.decode(token)).flatMap((jwt) -> {
			OAuth2TokenValidatorResult result = this.rules.validate(jwt);
			if (result.hasErrors()) {
				return Mono.error(new JwtValidationException(result.getErrors().iterator().next().getDescription(),
						result.getErrors()));
			}
			return Mono.just(jwt);
		});
	}

	private static OAuth2TokenValidator<Jwt> expiryRequired() {
		return (jwt) -> (jwt.getExpiresAt() != null) ? OAuth2TokenValidatorResult.success()
				: failure("The token has no expiry (exp).");
	}

	private static OAuth2TokenValidator<Jwt> issuer(String issuer) {
		return (jwt) -> issuer.equals(jwt.getClaimAsString("iss")) ? OAuth2TokenValidatorResult.success()
				: failure("The token is not from the configured issuer (iss).");
	}

	private static OAuth2TokenValidator<Jwt> audience(List<String> audiences) {
		return (jwt) -> {
			List<String> named = jwt.getAudience();
			return (named != null && !Collections.disjoint(named, audiences)) ? OAuth2TokenValidatorResult.success()
					: failure("The token is not meant for this service (aud).");
		};
	}

	private static OAuth2TokenValidatorResult failure(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
	}

}
