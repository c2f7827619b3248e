package io.fanout.api.problems;

import java.net.URI;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.core.ResolvableType;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes a {@link ProblemDetail} as {@code application/problem+json} straight to a response, with the
 * application's own codecs, for errors raised outside controllers (authentication, the last-resort
 * exception handler), where {@link ProblemsAdvice} does not apply.
 */
@Component
public class ProblemWriter {

	private static final ResolvableType PROBLEM = ResolvableType.forClass(ProblemDetail.class);

	private final List<HttpMessageWriter<?>> writers;

	public ProblemWriter(ServerCodecConfigurer codecs) {
		this.writers = codecs.getWriters();
	}

	/**
	 * Sets the response status from the problem and writes it; its {@code instance} defaults to the
	 * request path.
	 */
	@SuppressWarnings("unchecked")
	public Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
		if (problem.getInstance() == null) {
			problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
		}
		for (HttpMessageWriter<?> writer : this.writers) {
			if (writer.canWrite(PROBLEM, MediaType.APPLICATION_PROBLEM_JSON)) {
				return ((HttpMessageWriter<ProblemDetail>) writer).write(Mono.just(problem), PROBLEM,
						MediaType.APPLICATION_PROBLEM_JSON, response, Map.of());
			}
		}
		return Mono.error(new IllegalStateException("no codec writes application/problem+json"));
	}

}
