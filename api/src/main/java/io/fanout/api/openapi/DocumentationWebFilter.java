package io.fanout.api.openapi;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Serves the OpenAPI document and Swagger UI off the event loops. Springdoc builds the document on
 * the first request with blocking I/O (classpath scanning) and reads Swagger UI's files from its jar
 * on the calling thread; this runs those requests on the bounded elastic scheduler, so that no
 * Netty thread ever blocks. Every other request is left as it is.
 */
@Component
class DocumentationWebFilter implements WebFilter {

	private static final PathPattern[] DOCUMENTATION = { pattern("/v3/api-docs/**"),
			pattern("/v3/api-docs.yaml"), pattern("/swagger-ui.html"),
			pattern("/swagger-ui/**"), pattern("/webjars/**") };

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		for (PathPattern pattern : DOCUMENTATION) {
			if (pattern.matches(path)) {
				return chain.filter(exchange).subscribeOn(Schedulers.boundedElastic());
			}
		}
		return chain.filter(exchange);
	}

	private static PathPattern pattern(String pattern) {
		return PathPatternParser.defaultInstance.parse(pattern);
	}

}
