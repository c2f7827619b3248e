package io.fanout.api.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API is never open by accident: without configured keys or JWTs a key is generated and logged
 * once; and JWTs name their tenant in the configured claim, as {@code jwt:<value>}.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityConfigurationTests {

	private static final Pattern GENERATED = Pattern
		.compile("Using generated API key for tenant 'default': ([A-Za-z0-9_-]{43})");

	private final SecurityConfiguration configuration = new SecurityConfiguration();

	@Test
	void withoutKeysOrJwtsAKeyIsGeneratedAndLoggedOnce(CapturedOutput output) {
		ApiKeyAuthenticationManager manager = this.configuration.apiKeyAuthenticationManager(properties(Map.of()),
				decoder(null));

		Matcher logged = GENERATED.matcher(output.getAll());
		assertThat(logged.find()).isTrue();
		String key = logged.group(1);
		assertThat(logged.find()).isFalse();
		StepVerifier.create(manager.authenticate(ApiKeyAuthenticationToken.unauthenticated(key)))
			.assertNext((authentication) -> assertThat(authentication.getName()).isEqualTo("default"))
			.verifyComplete();
	}

	@Test
	void configuredKeysAreUsedAndNothingIsGenerated(CapturedOutput output) {
		ApiKeyAuthenticationManager manager = this.configuration
			.apiKeyAuthenticationManager(properties(Map.of("team-a", "key-a-0123456789")), decoder(null));

		assertThat(output.getAll()).doesNotContain("generated API key");
		StepVerifier.create(manager.authenticate(ApiKeyAuthenticationToken.unauthenticated("key-a-0123456789")))
			.assertNext((authentication) -> {
				assertThat(authentication.isAuthenticated()).isTrue();
				assertThat(authentication.getName()).isEqualTo("team-a");
				assertThat(authentication.getCredentials()).isNull();
			})
			.verifyComplete();
		StepVerifier.create(manager.authenticate(ApiKeyAuthenticationToken.unauthenticated("key-b")))
			.expectError(InvalidApiKeyException.class)
			.verify();
	}

	@Test
	void withJwtsConfiguredNoKeyIsGenerated(CapturedOutput output) {
		ReactiveJwtDecoder decoder = (token) -> Mono.empty();

		this.configuration.apiKeyAuthenticationManager(properties(Map.of()), decoder(decoder));

		assertThat(output.getAll()).doesNotContain("generated API key");
	}

	@Test
	void aJwtNamesItsTenantInTheConfiguredClaimUnderThePrefixJwt() {
		Jwt jwt = jwt(Map.of("sub", "user-1", "tenant", "team-a"));

		StepVerifier.create(SecurityConfiguration.tenantFromClaim("tenant").convert(jwt))
			.assertNext((authentication) -> assertThat(authentication.getName()).isEqualTo("jwt:team-a"))
			.verifyComplete();
		StepVerifier.create(SecurityConfiguration.tenantFromClaim("sub").convert(jwt))
			.assertNext((authentication) -> assertThat(authentication.getName()).isEqualTo("jwt:user-1"))
			.verifyComplete();
	}

	@Test
	void aJwtWithoutTheClaimIsRefused() {
		Mono<AbstractAuthenticationToken> converted = SecurityConfiguration.tenantFromClaim("tenant")
			.convert(jwt(Map.of("sub", "user-1")));

		StepVerifier.create(converted.cast(Authentication.class)).expectError(InvalidBearerTokenException.class).verify();
	}

	private static FanoutSecurityProperties properties(Map<String, String> keys) {
		return new FanoutSecurityProperties(keys, Map.of(), new FanoutSecurityProperties.Jwt("sub", null, List.of()));
	}

	private static ObjectProvider<ReactiveJwtDecoder> decoder(ReactiveJwtDecoder decoder) {
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		if (decoder != null) {
			beans.addBean("jwtDecoder", decoder);
		}
		return beans.getBeanProvider(ReactiveJwtDecoder.class);
	}

	private static Jwt jwt(Map<String, Object> claims) {
		return Jwt.withTokenValue("token")
			.header("alg", "RS256")
			.claims((all) -> all.putAll(claims))
			.issuedAt(Instant.now())
			.build();
	}

}
