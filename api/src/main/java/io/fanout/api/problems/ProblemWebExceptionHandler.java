package io.fanout.api.problems;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * The last resort for errors that no controller advice saw (raised by filters, or on the management
 * port): a Problem Details response instead of Spring Boot's default error JSON, and never a stack
 * trace. Ordered before Spring Boot's own handler.
 */
@Component
@Order(-2)
class ProblemWebExceptionHandler implements WebExceptionHandler {

	private static final Log logger = LogFactory.getLog(ProblemWebExceptionHandler.class);

	private final ProblemWriter writer;

	ProblemWebExceptionHandler(ProblemWriter writer) {
		this.writer = writer;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		return this.writer.write(exchange, problemFor(exchange, ex));
	}

	static ProblemDetail problemFor(ServerWebExchange exchange, Throwable ex) {
		if (ex instanceof ResponseStatusException statusException) {
			ProblemType type = ProblemType.forStatus(statusException.getStatusCode());
			if (type != null) {
				String detail = (type == ProblemType.NOT_FOUND) ? "There is nothing at this path."
						: statusException.getBody().getDetail();
				return type.problem((detail != null) ? detail : type.title());
			}
			if (statusException.getStatusCode().is4xxClientError()) {
				ProblemDetail problem = ProblemDetail.forStatus(statusException.getStatusCode());
				problem.setDetail(statusException.getBody().getDetail());
				return problem;
			}
			if (statusException.getStatusCode().value() != ProblemType.INTERNAL.status().value()) {
				logger.warn("Answering " + statusException.getStatusCode() + " to "
						+ exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath().value(), ex);
				return ProblemDetail.forStatusAndDetail(statusException.getStatusCode(),
						"Fanout cannot handle the request now.");
			}
		}
		logger.error("Unexpected error on " + exchange.getRequest().getMethod() + " "
				+ exchange.getRequest().getPath().value(), ex);
		return ProblemType.INTERNAL.problem("Fanout failed to handle the request; the cause is in its log.");
	}

}
