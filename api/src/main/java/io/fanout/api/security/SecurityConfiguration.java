package io.fanout.api.security;

import java.util.List;
import java.util.Map;

import io.fanout.api.problems.ProblemType;
import io.fanout.api.problems.ProblemWriter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * Every {@code /api/**} route requires a tenant: an {@code X-API-Key} header matching
 * {@code fanout.security.api-keys}, or, when {@code spring.security.oauth2.resourceserver.jwt.*} is
 * configured, a bearer JWT whose {@code fanout.security.jwt.tenant-claim} names the tenant
 * ({@code jwt:<claim>}, a namespace of its own), under a required issuer, audience and expiry
 * ({@link StrictJwtDecoder}). Everything
 * else (health probes, Swagger UI, the OpenAPI document, the dashboard's static files) is open. A
 * viewer key ({@code fanout.security.viewer-keys}) may only read: anything but {@code GET} and
 * {@code HEAD} under {@code /api/**} gets a 403 ({@link Access}). Stateless: no session, no CSRF
 * token, no login page. With neither keys nor JWTs configured, a key is generated and logged once, so
 * the API is never open by accident.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
@EnableConfigurationProperties(FanoutSecurityProperties.class)
public class SecurityConfiguration {

	/** The header that carries API keys. */
	public static final String API_KEY_HEADER = "X-API-Key";

	/** What the tenant of a JWT starts with: its source. */
	public static final String JWT_TENANT_PREFIX = "jwt:";

	private static final Log logger = LogFactory.getLog(SecurityConfiguration.class);

	@Bean
	ApiKeyAuthenticationManager apiKeyAuthenticationManager(FanoutSecurityProperties properties,
			ObjectProvider<ReactiveJwtDecoder> jwtDecoder) {
		Map<String, String> keys = properties.apiKeys();
		if (keys.isEmpty() && jwtDecoder.getIfAvailable() == null) {
			String key = ApiKeys.generate();
			logger.warn(String.format("%n%nUsing generated API key for tenant '%s': %s%n%nIt changes at every start. "
					+ "Configure keys with fanout.security.api-keys.<tenant>=<key> "
					+ "(FANOUT_SECURITY_API_KEYS_<TENANT>).%n", ApiKeys.GENERATED_TENANT, key));
			keys = Map.of(ApiKeys.GENERATED_TENANT, key);
		}
		return new ApiKeyAuthenticationManager(ApiKeys.of(keys, properties.viewerKeys()));
	}

	@Bean
	SecurityWebFilterChain apiSecurityFilterChain(ServerHttpSecurity http, ApiKeyAuthenticationManager apiKeys,
			FanoutSecurityProperties properties, ProblemWriter problemWriter,
			ObjectProvider<ReactiveJwtDecoder> jwtDecoder, ObjectProvider<OAuth2ResourceServerProperties> resourceServer) {
		ReactiveJwtDecoder configured = jwtDecoder.getIfAvailable();
		OAuth2ResourceServerProperties boot = resourceServer.getIfAvailable();
		ReactiveJwtDecoder decoder = (configured != null)
				? StrictJwtDecoder.of(configured, properties.jwt(), (boot != null) ? boot.getJwt() : null) : null;
		ProblemAuthenticationEntryPoint entryPoint = new ProblemAuthenticationEntryPoint(problemWriter, decoder != null);
		http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.authorizeExchange((exchanges) -> exchanges.pathMatchers(HttpMethod.GET, "/api/**")
				.authenticated()
				.pathMatchers(HttpMethod.HEAD, "/api/**")
				.authenticated()
				.pathMatchers("/api/**")
				.hasAuthority(Access.WRITE_AUTHORITY)
				.anyExchange()
				.permitAll())
			.exceptionHandling((handling) -> handling.authenticationEntryPoint(entryPoint)
				.accessDeniedHandler((exchange, denied) -> problemWriter.write(exchange,
						ProblemType.FORBIDDEN.problem("This key is read-only: it may not change anything."))))
			.addFilterAt(apiKeyFilter(apiKeys, entryPoint), SecurityWebFiltersOrder.AUTHENTICATION);
		if (decoder != null) {
			http.oauth2ResourceServer((server) -> server.authenticationEntryPoint(entryPoint)
				.jwt((jwt) -> jwt.jwtDecoder(decoder)
					.jwtAuthenticationConverter(tenantFromClaim(properties.jwt().tenantClaim()))));
		}
		return http.build();
	}

	private static AuthenticationWebFilter apiKeyFilter(ApiKeyAuthenticationManager apiKeys,
			ProblemAuthenticationEntryPoint entryPoint) {
		AuthenticationWebFilter filter = new AuthenticationWebFilter(apiKeys);
		filter.setRequiresAuthenticationMatcher(ServerWebExchangeMatchers.pathMatchers("/api/**"));
		filter.setServerAuthenticationConverter((exchange) -> {
			String key = exchange.getRequest().getHeaders().getFirst(API_KEY_HEADER);
			return (key != null) ? Mono.just(ApiKeyAuthenticationToken.unauthenticated(key)) : Mono.empty();
		});
		filter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(entryPoint));
		return filter;
	}

	/**
	 * JWTs name their tenant in a claim, as {@code jwt:<value>}: API-key tenants have no {@code :},
	 * so no token can land on an API-key tenant's jobs. A token without the claim is refused.
	 */
	static Converter<Jwt, Mono<AbstractAuthenticationToken>> tenantFromClaim(String claim) {
		return (jwt) -> {
			@Nullable String value = jwt.getClaimAsString(claim);
			if (value == null || value.isBlank() || JWT_TENANT_PREFIX.length() + value.length() > 200) {
				return Mono.error(new InvalidBearerTokenException("The token has no usable '" + claim + "' claim."));
			}
			return Mono.just(new JwtAuthenticationToken(jwt, Access.READ_WRITE.authorities(), JWT_TENANT_PREFIX + value));
		};
	}

}
