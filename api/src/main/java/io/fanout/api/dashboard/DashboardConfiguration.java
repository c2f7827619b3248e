package io.fanout.api.dashboard;

import java.net.URI;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * The dashboard: static files under {@code /ui/} (from {@code classpath:/static/ui/}), a client of
 * the public API like any other, which it calls with the key the user signs in with. Its pages get a
 * strict Content-Security-Policy: scripts, styles and connections from this origin only, nothing
 * inline, no frames, so that whatever tenants and upstreams put in URLs, labels, extracted values
 * or bodies can only ever be text.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfiguration {

	/** Where the dashboard is. */
	static final String PATH = "/ui/";

	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

	@Bean
	RouterFunction<ServerResponse> dashboardRoutes(@Value("classpath:/static/ui/index.html") Resource index) {
		return RouterFunctions.route(GET("/ui").or(GET("/")),
				(request) -> ServerResponse.permanentRedirect(URI.create(PATH)).build())
			.andRoute(GET(PATH), (request) -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(index));
	}

	/** The dashboard's security headers, on its pages and files only (Swagger UI has its own needs). */
	@Bean
	WebFilter dashboardHeaders() {
		return (exchange, chain) -> {
			if (exchange.getRequest().getPath().value().startsWith(PATH)) {
				HttpHeaders headers = exchange.getResponse().getHeaders();
				headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
				headers.set("Referrer-Policy", "no-referrer");
				headers.set("Cross-Origin-Opener-Policy", "same-origin");
			}
			return chain.filter(exchange);
		};
	}

}
