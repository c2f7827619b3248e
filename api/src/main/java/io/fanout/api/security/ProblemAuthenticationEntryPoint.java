package io.fanout.api.security;

import io.fanout.api.problems.ProblemType;
import io.fanout.api.problems.ProblemWriter;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers missing or invalid credentials with a {@code 401} Problem Details response and a
 * {@code WWW-Authenticate} challenge per accepted scheme. Never echoes the credentials.
 */
final class ProblemAuthenticationEntryPoint implements ServerAuthenticationEntryPoint {

	private final ProblemWriter writer;

	private final boolean bearerTokens;

	ProblemAuthenticationEntryPoint(ProblemWriter writer, boolean bearerTokens) {
		this.writer = writer;
		this.bearerTokens = bearerTokens;
	}

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		headers.add(HttpHeaders.WWW_AUTHENTICATE,
				"ApiKey realm=\"fanout\", header=\"" + SecurityConfiguration.API_KEY_HEADER + "\"");
		if (this.bearerTokens) {
			headers.add(HttpHeaders.WWW_AUTHENTICATE, (ex instanceof OAuth2AuthenticationException)
					? "Bearer realm=\"fanout\", error=\"invalid_token\"" : "Bearer realm=\"fanout\"");
		}
		return this.writer.write(exchange, problem(ex));
	}

	private ProblemDetail problem(AuthenticationException ex) {
		if (ex instanceof InvalidApiKeyException) {
			return ProblemType.UNAUTHORIZED.problem("The API key is not valid.");
		}
		if (ex instanceof OAuth2AuthenticationException) {
			return ProblemType.UNAUTHORIZED.problem("The bearer token is not valid.");
		}
		return ProblemType.UNAUTHORIZED.problem("Authentication is required: send an API key in the "
				+ SecurityConfiguration.API_KEY_HEADER + " header"
				+ (this.bearerTokens ? " or a bearer token in the Authorization header." : "."));
	}

}
