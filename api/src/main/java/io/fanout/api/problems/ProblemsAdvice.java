package io.fanout.api.problems;

import java.time.Duration;
import java.util.List;

import io.fanout.api.jobs.TooManyStreamsException;
import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.Violation;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.NothingToRerunException;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.QuotaExceededException;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulerException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.MissingRequestValueException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * Maps every exception a request can end in to a Problem Details response of a stable
 * {@link ProblemType}: the scheduler's exceptions, the API's own validation, and Spring's (unreadable
 * bodies, bad parameters, unknown routes, unsupported methods and media types). Details are written
 * for people and never carry stack traces, exception class names or values of request headers; those
 * of unreadable input are worded by {@link InputErrors}.
 */
@RestControllerAdvice
class ProblemsAdvice extends ResponseEntityExceptionHandler {

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidRequest(InvalidRequestException ex) {
		return respond(InputErrors.validation(ex.errors()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidJobSpec(InvalidJobSpecException ex) {
		return invalidFields(ex.violations());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidFetchRequest(InvalidFetchRequestException ex) {
		return invalidFields(ex.violations());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidSchedule(InvalidScheduleException ex) {
		return invalidFields(ex.violations());
	}

	@ExceptionHandler({ JobNotFoundException.class, ScheduleNotFoundException.class })
	ResponseEntity<ProblemDetail> notFound(SchedulerException ex) {
		return respond(ProblemType.NOT_FOUND.problem(ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> scheduleNameConflict(ScheduleNameConflictException ex) {
		ProblemDetail problem = ProblemType.SCHEDULE_NAME_TAKEN.problem(ex.getMessage());
		problem.setProperty("scheduleId", ex.existingScheduleId());
		return respond(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> scheduleOverlap(ScheduleOverlapException ex) {
		ProblemDetail problem = ProblemType.SCHEDULE_OVERLAP.problem(ex.getMessage());
		problem.setProperty("jobId", ex.jobId());
		problem.setProperty("jobStatus", ex.jobStatus());
		return respond(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> illegalJobState(IllegalJobStateException ex) {
		ProblemDetail problem = ProblemType.JOB_STATE.problem(ex.getMessage());
		problem.setProperty("jobStatus", ex.status());
		return respond(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> nothingToRerun(NothingToRerunException ex) {
		return respond(ProblemType.NOTHING_TO_RERUN.problem(ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> idempotencyConflict(IdempotencyConflictException ex) {
		ProblemDetail problem = ProblemType.IDEMPOTENCY_CONFLICT.problem(ex.getMessage());
		problem.setProperty("jobId", ex.jobId());
		return respond(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> queueFull(QueueFullException ex) {
		long seconds = retryAfterSeconds(ex.retryAfter());
		ProblemDetail problem = ProblemType.QUEUE_FULL
			.problem("The job queue is full; try again in " + seconds + " s.");
		return respondRetryAfter(problem, seconds);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooManyStreams(TooManyStreamsException ex) {
		long seconds = retryAfterSeconds(ex.retryAfter());
		ProblemDetail problem = ProblemType.TOO_MANY_STREAMS.problem(ex.getMessage());
		problem.setProperty("limit", ex.limit());
		return respondRetryAfter(problem, seconds);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> quotaExceeded(QuotaExceededException ex) {
		long seconds = retryAfterSeconds(ex.retryAfter());
		ProblemDetail problem = ProblemType.QUOTA_EXCEEDED.problem("The tenant is at its " + ex.quota().description()
				+ " quota (" + ex.usage() + " of " + ex.limit() + "); try again in " + seconds + " s.");
		problem.setProperty("quota", ex.quota().name());
		problem.setProperty("limit", ex.limit());
		problem.setProperty("usage", ex.usage());
		return respondRetryAfter(problem, seconds);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(Exception ex, ServerWebExchange exchange) {
		return respond(ProblemWebExceptionHandler.problemFor(exchange, ex));
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, @Nullable Object body,
			@Nullable HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		ProblemDetail problem = translate(ex, status, exchange);
		HttpHeaders responseHeaders = new HttpHeaders();
		if (headers != null) {
			responseHeaders.putAll(headers);
		}
		responseHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return Mono.just(ResponseEntity.status(problem.getStatus()).headers(responseHeaders).body(problem));
	}

	private ProblemDetail translate(Exception ex, HttpStatusCode status, ServerWebExchange exchange) {
		if (ex instanceof MissingRequestValueException missing) {
			return InputErrors.validation(List.of(new InvalidField(missing.getName(), "is required")));
		}
		if (ex instanceof ServerWebInputException input && status.value() == 400) {
			return InputErrors.problem(input);
		}
		if (ex instanceof ContentTooLargeException) {
			return ProblemType.CONTENT_TOO_LARGE.problem("The request body is larger than this server accepts.");
		}
		if (ex instanceof MethodNotAllowedException notAllowed) {
			return ProblemType.METHOD_NOT_ALLOWED.problem(notAllowed.getHttpMethod() + " is not supported here; use "
					+ InputErrors.mediaList(notAllowed.getSupportedMethods()) + ".");
		}
		if (ex instanceof NotAcceptableStatusException notAcceptable) {
			return ProblemType.NOT_ACCEPTABLE.problem("None of the accepted media types can be produced; this resource "
					+ "produces " + InputErrors.mediaList(notAcceptable.getSupportedMediaTypes()) + ".");
		}
		if (ex instanceof UnsupportedMediaTypeStatusException unsupported) {
			return ProblemType.UNSUPPORTED_MEDIA_TYPE.problem("Content-Type "
					+ ((unsupported.getContentType() != null) ? "'" + unsupported.getContentType() + "'" : "(none)")
					+ " is not supported; send " + InputErrors.mediaList(unsupported.getSupportedMediaTypes()) + ".");
		}
		return ProblemWebExceptionHandler.problemFor(exchange, ex);
	}

	private static long retryAfterSeconds(Duration retryAfter) {
		long millis = Math.max(0, retryAfter.toMillis());
		return Math.max(1, (millis + 999) / 1000);
	}

	private static ResponseEntity<ProblemDetail> invalidFields(List<Violation> violations) {
		return respond(InputErrors
			.validation(violations.stream().map((v) -> new InvalidField(v.field(), v.message())).toList()));
	}

	/** A refusal for now (429): the problem, with the seconds to wait in {@code Retry-After}. */
	private static ResponseEntity<ProblemDetail> respondRetryAfter(ProblemDetail problem, long seconds) {
		return ResponseEntity.status(problem.getStatus())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
			.body(problem);
	}

	private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

}
