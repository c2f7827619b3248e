package io.fanout.api.problems;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors that no controller saw still become Problem Details, and reveal nothing of their cause.
 */
class ProblemWebExceptionHandlerTests {

	private final ProblemWebExceptionHandler handler = new ProblemWebExceptionHandler(
			new ProblemWriter(ServerCodecConfigurer.create()));

	@Test
	void aStatusExceptionBecomesTheProblemOfItsStatus() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/anywhere"));

		this.handler.handle(exchange, new ResponseStatusException(HttpStatus.NOT_FOUND)).block();

		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(exchange.getResponse().getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(exchange.getResponse().getBodyAsString().block())
			.contains("\"type\":\"https://fanout.io/problems/not-found\"")
			.contains("\"instance\":\"/anywhere\"");
	}

	@Test
	void anyOtherExceptionBecomesAnInternalProblemWithoutItsMessage() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/anywhere"));

		this.handler.handle(exchange, new IllegalStateException("password=hunter2")).block();

		assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
		assertThat(exchange.getResponse().getBodyAsString().block()).contains("https://fanout.io/problems/internal")
			.doesNotContain("hunter2")
			.doesNotContain("IllegalStateException");
	}

	@Test
	void aCommittedResponseIsLeftAlone() {
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/anywhere"));
		exchange.getResponse().setComplete().block();

		StepVerifier.create(this.handler.handle(exchange, new IllegalStateException("late")))
			.expectErrorMessage("late")
			.verify(Duration.ofSeconds(5));
		assertThat(exchange.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
	}

}
