package io.fanout.api.security;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import io.fanout.api.problems.ProblemWriter;
import io.fanout.api.support.TestJwts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With JWTs on, Fanout refuses to start without an issuer and an audience, and checks issuer,
 * audience and expiry itself, whichever way the keys are configured (a public key, or a JWK set
 * served over HTTP with no issuer discovery).
 */
class JwtStrictnessTests {

	private static final String JWT = "spring.security.oauth2.resourceserver.jwt.";

	@TempDir
	static Path directory;

	private static TestJwts jwts;

	private static HttpServer jwkSetServer;

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ReactiveOAuth2ResourceServerAutoConfiguration.class))
		.withUserConfiguration(Problems.class, SecurityConfiguration.class)
		.withPropertyValues("fanout.security.api-keys.team-a=key-a-0123456789");

	@BeforeAll
	static void serveJwkSet() throws IOException {
		jwts = new TestJwts(directory);
		jwkSetServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		jwkSetServer.createContext("/jwks", (exchange) -> {
			byte[] body = jwts.jwkSet().getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		jwkSetServer.start();
	}

	@AfterAll
	static void stopJwkSetServer() {
		jwkSetServer.stop(0);
	}

	@Test
	void withoutIssuerAndAudienceStartupFails() {
		this.runner.withPropertyValues(JWT + "public-key-location=" + jwts.publicKeyLocation())
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("an issuer (fanout.security.jwt.issuer or " + JWT + "issuer-uri) and an audience "
						+ "(fanout.security.jwt.audiences or " + JWT + "audiences) is not configured"));
	}

	@Test
	void withoutAudienceStartupFails() {
		this.runner
			.withPropertyValues(JWT + "jwk-set-uri=" + jwkSetUri(), "fanout.security.jwt.issuer=" + TestJwts.ISSUER)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageStartingWith("Bearer JWTs are accepted (" + JWT + "* is set) but an audience "
						+ "(fanout.security.jwt.audiences or " + JWT + "audiences) is not configured"));
	}

	@Test
	void withoutIssuerStartupFails() {
		this.runner.withPropertyValues(JWT + "jwk-set-uri=" + jwkSetUri(), JWT + "audiences=" + TestJwts.AUDIENCE)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("but an issuer (fanout.security.jwt.issuer or " + JWT + "issuer-uri) is not "
						+ "configured"));
	}

	@Test
	void withIssuerAndAudienceItStarts() {
		this.runner
			.withPropertyValues(JWT + "jwk-set-uri=" + jwkSetUri(), JWT + "issuer-uri=" + TestJwts.ISSUER,
					JWT + "audiences=" + TestJwts.AUDIENCE)
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(SecurityWebFilterChain.class));
		this.runner
			.withPropertyValues(JWT + "public-key-location=" + jwts.publicKeyLocation(),
					"fanout.security.jwt.issuer=" + TestJwts.ISSUER, "fanout.security.jwt.audiences=" + TestJwts.AUDIENCE)
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(SecurityWebFilterChain.class));
	}

	@Test
	void withOnlyAJwkSetTheIssuerAudienceAndExpiryAreStillChecked() {
		StrictJwtDecoder decoder = StrictJwtDecoder.of(NimbusReactiveJwtDecoder.withJwkSetUri(jwkSetUri()).build(),
				new FanoutSecurityProperties.Jwt("sub", TestJwts.ISSUER, java.util.List.of(TestJwts.AUDIENCE)), null);

		StepVerifier.create(decoder.decode(jwts.token(Map.of("sub", "user-1"))))
			.assertNext((jwt) -> assertThat(jwt.getSubject()).isEqualTo("user-1"))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		refused(decoder, jwts.token(Map.of("sub", "user-1", "iss", "https://elsewhere.test")), "(iss)");
		refused(decoder, jwts.tokenWithout(Map.of("sub", "user-1"), "iss"), "(iss)");
		refused(decoder, jwts.token(Map.of("sub", "user-1", "aud", "another-service")), "(aud)");
		refused(decoder, jwts.tokenWithout(Map.of("sub", "user-1"), "exp"), "The token has no expiry (exp).");
	}

	private static void refused(StrictJwtDecoder decoder, String token, String because) {
		StepVerifier.create(decoder.decode(token))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(BadJwtException.class)
				.hasMessageContaining(because))
			.verify(Duration.ofSeconds(10));
	}

	private static String jwkSetUri() {
		return "http://127.0.0.1:" + jwkSetServer.getAddress().getPort() + "/jwks";
	}

	@Configuration(proxyBeanMethods = false)
	static class Problems {

		@Bean
		ProblemWriter problemWriter() {
			return new ProblemWriter(ServerCodecConfigurer.create());
		}

	}

}
