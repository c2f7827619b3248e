package io.fanout.api.problems;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.Violation;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulerException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
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
 * for people and never carry stack traces, exception class names or values of request headers.
 */
@RestControllerAdvice
class ProblemsAdvice extends ResponseEntityExceptionHandler {

	private static final String ERRORS = "errors";

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidRequest(InvalidRequestException ex) {
		return respond(validation(ex.errors()));
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
		return ResponseEntity.status(problem.getStatus())
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
			.body(problem);
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
			return validation(List.of(new InvalidField(missing.getName(), "is required")));
		}
		if (ex instanceof ServerWebInputException input && status.value() == 400) {
			return inputProblem(input);
		}
		if (ex instanceof ContentTooLargeException) {
			return ProblemType.CONTENT_TOO_LARGE.problem("The request body is larger than this server accepts.");
		}
		if (ex instanceof MethodNotAllowedException notAllowed) {
			return ProblemType.METHOD_NOT_ALLOWED.problem(notAllowed.getHttpMethod() + " is not supported here; use "
					+ mediaList(notAllowed.getSupportedMethods()) + ".");
		}
		if (ex instanceof NotAcceptableStatusException notAcceptable) {
			return ProblemType.NOT_ACCEPTABLE.problem("None of the accepted media types can be produced; this resource "
					+ "produces " + mediaList(notAcceptable.getSupportedMediaTypes()) + ".");
		}
		if (ex instanceof UnsupportedMediaTypeStatusException unsupported) {
			return ProblemType.UNSUPPORTED_MEDIA_TYPE.problem("Content-Type "
					+ ((unsupported.getContentType() != null) ? "'" + unsupported.getContentType() + "'" : "(none)")
					+ " is not supported; send " + mediaList(unsupported.getSupportedMediaTypes()) + ".");
		}
		return ProblemWebExceptionHandler.problemFor(exchange, ex);
	}

	private ProblemDetail inputProblem(ServerWebInputException ex) {
		JacksonException jackson = find(ex, JacksonException.class);
		if (jackson != null) {
			String path = path(jackson);
			boolean syntax = jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException);
			if (syntax || path.isEmpty()) {
				String where = (jackson.getLocation() != null && jackson.getLocation().getLineNr() > 0)
						? " (line " + jackson.getLocation().getLineNr() + ", column "
								+ jackson.getLocation().getColumnNr() + ")"
						: "";
				return ProblemType.MALFORMED_JSON.problem(syntax ? "The body is not valid JSON" + where + "."
						: "The body must be a JSON object" + where + ".");
			}
			return validation(List.of(new InvalidField(path, describe(jackson))));
		}
		MethodParameter parameter = ex.getMethodParameter();
		TypeMismatchException mismatch = find(ex, TypeMismatchException.class);
		if (mismatch != null && parameter != null) {
			if (parameter.hasParameterAnnotation(PathVariable.class)) {
				return ProblemType.NOT_FOUND.problem("There is nothing at this path.");
			}
			return validation(List.of(new InvalidField(parameterName(parameter), expected(parameter))));
		}
		DecodingException decoding = find(ex, DecodingException.class);
		if (decoding != null && decoding.getMessage() != null && decoding.getMessage().startsWith("No request body")) {
			return ProblemType.MALFORMED_JSON.problem("A JSON body is required.");
		}
		return ProblemType.VALIDATION.problem((ex.getReason() != null) ? ex.getReason() : "The request is invalid.");
	}

	static ProblemDetail validation(List<InvalidField> errors) {
		String detail = (errors.size() == 1) ? errors.get(0).field() + ": " + errors.get(0).message()
				: errors.size() + " fields are invalid; see errors.";
		ProblemDetail problem = ProblemType.VALIDATION.problem(detail);
		problem.setProperty(ERRORS, errors);
		return problem;
	}

	/** The JSON path of the value that failed, in the API's notation: {@code requests[3].timeout}. */
	static String path(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				if (!path.isEmpty()) {
					path.append('.');
				}
				path.append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	private static String describe(JacksonException ex) {
		if (ex instanceof UnrecognizedPropertyException unrecognized) {
			Collection<Object> known = unrecognized.getKnownPropertyIds();
			return "is not a known property" + ((known != null && !known.isEmpty())
					? "; expected one of " + known.stream().map(String::valueOf).sorted().toList() : "");
		}
		if (ex instanceof InvalidNullException) {
			return "must not be null";
		}
		if (ex instanceof InputCoercionException) {
			return "is out of range";
		}
		if (ex instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
			return "must be " + describeType(mismatched.getTargetType());
		}
		return "has an invalid value";
	}

	private static String describeType(Class<?> type) {
		if (type == Duration.class) {
			return "an ISO-8601 duration such as PT10S";
		}
		if (type == Integer.class || type == int.class || type == Long.class || type == long.class
				|| type == Short.class || type == short.class) {
			return "an integer";
		}
		if (type == Boolean.class || type == boolean.class) {
			return "true or false";
		}
		if (type == String.class) {
			return "a string";
		}
		if (type.isEnum()) {
			return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList();
		}
		if (Map.class.isAssignableFrom(type)) {
			return "an object";
		}
		if (Collection.class.isAssignableFrom(type) || type.isArray()) {
			return "an array";
		}
		return "an object";
	}

	private static String expected(MethodParameter parameter) {
		ResolvableType type = ResolvableType.forMethodParameter(parameter);
		Class<?> target = type.toClass();
		if (Collection.class.isAssignableFrom(target)) {
			Class<?> element = type.asCollection().resolveGeneric(0);
			return "each value must be " + ((element != null) ? describeParameterType(element) : "valid");
		}
		return "must be " + describeParameterType(target);
	}

	private static String describeParameterType(Class<?> type) {
		if (type == java.util.UUID.class) {
			return "a UUID";
		}
		return describeType(type);
	}

	private static String parameterName(MethodParameter parameter) {
		RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
		if (param != null && !param.name().isEmpty()) {
			return param.name();
		}
		RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
		if (header != null && !header.name().isEmpty()) {
			return header.name();
		}
		String name = parameter.getParameterName();
		return (name != null) ? name : "parameter " + parameter.getParameterIndex();
	}

	private static String mediaList(Collection<?> items) {
		List<String> names = new ArrayList<>();
		items.forEach((item) -> names.add(String.valueOf(item)));
		return names.isEmpty() ? "nothing" : names.stream().sorted().collect(Collectors.joining(", "));
	}

	private static long retryAfterSeconds(Duration retryAfter) {
		long millis = Math.max(0, retryAfter.toMillis());
		return Math.max(1, (millis + 999) / 1000);
	}

	private static <T extends Throwable> @Nullable T find(Throwable ex, Class<T> type) {
		Throwable current = ex;
		while (current != null) {
			if (type.isInstance(current)) {
				return type.cast(current);
			}
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		return null;
	}

	private static ResponseEntity<ProblemDetail> invalidFields(List<Violation> violations) {
		return respond(validation(violations.stream().map((v) -> new InvalidField(v.field(), v.message())).toList()));
	}

	private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
		return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
	}

}
