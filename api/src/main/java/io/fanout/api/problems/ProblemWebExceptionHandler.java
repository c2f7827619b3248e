package io.fanout.api.problems;

import io.netty.handler.timeout.ReadTimeoutException;
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

	private static final String REQUEST_TIMEOUT_EXCEPTION = "reactor.netty.http.server.RequestTimeoutException";

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
		if (isBodyTimeout(ex)) {
			// The client's doing, not Fanout's: one line, no stack trace.
			logger.warn("Answering 408 to " + exchange.getRequest().getMethod() + " "
					+ exchange.getRequest().getPath().value() + ": its body did not arrive in time (" + ex + ")");
			return ProblemType.REQUEST_TIMEOUT.problem("The request body did not arrive in time; the connection is "
					+ "closed. Send the body without long pauses.");
		}
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

	/**
	 * Whether reading the request body timed out: Reactor Netty's read timeout (no byte for
	 * {@code fanout.server.read-timeout}) or request timeout (the whole body not in within
	 * {@code fanout.server.request-timeout}), as raised or as the cause of a decoding error.
	 */
	private static boolean isBodyTimeout(Throwable ex) {
		// Reactor Netty's RequestTimeoutException is not public: known by its name (a test holds it).
		Throwable cause = ex;
		for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
			if (cause instanceof ReadTimeoutException || cause.getClass().getName().equals(REQUEST_TIMEOUT_EXCEPTION)) {
				return true;
			}
		}
		return false;
	}

}
