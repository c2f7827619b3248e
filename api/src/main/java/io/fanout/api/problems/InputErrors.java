package io.fanout.api.problems;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
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
import org.springframework.http.ProblemDetail;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebInputException;

/**
 * Reads what Jackson and Spring report about input they could not use, and says it in the API's
 * terms: where (a JSON path into the body, a query parameter or header name) and what was expected
 * there ("an ISO-8601 duration", "one of [...]"), never the exception's own text.
 */
final class InputErrors {

	private static final String ERRORS = "errors";

	private InputErrors() {
	}

	/** A validation problem naming every invalid field, in order. */
	static ProblemDetail validation(List<InvalidField> errors) {
		String detail = (errors.size() == 1) ? errors.get(0).field() + ": " + errors.get(0).message()
				: errors.size() + " fields are invalid; see errors.";
		ProblemDetail problem = ProblemType.VALIDATION.problem(detail);
		problem.setProperty(ERRORS, errors);
		return problem;
	}

	/**
	 * The problem with an unreadable request: a body that is missing or not JSON, a body value of the
	 * wrong type, a query parameter or header that does not convert, or a path that names nothing.
	 */
	static ProblemDetail problem(ServerWebInputException ex) {
		if (ex instanceof WebExchangeBindException binding && binding.hasFieldErrors()) {
			return validation(binding.getFieldErrors()
				.stream()
				.map((error) -> new InvalidField(error.getField(), bindingMessage(binding, error)))
				.toList());
		}
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
			return validation(List.of(new InvalidField(parameterName(parameter),
					expected(ResolvableType.forMethodParameter(parameter)))));
		}
		DecodingException decoding = find(ex, DecodingException.class);
		if (decoding != null && decoding.getMessage() != null && decoding.getMessage().startsWith("No request body")) {
			return ProblemType.MALFORMED_JSON.problem("A JSON body is required.");
		}
		return ProblemType.VALIDATION.problem((ex.getReason() != null) ? ex.getReason() : "The request is invalid.");
	}

	/** Methods or media types, sorted, for a detail: {@code application/json, text/event-stream}. */
	static String mediaList(Collection<?> items) {
		List<String> names = new ArrayList<>();
		items.forEach((item) -> names.add(String.valueOf(item)));
		return names.isEmpty() ? "nothing" : names.stream().sorted().collect(Collectors.joining(", "));
	}

	/** The JSON path of the value that failed, in the API's notation: {@code requests[3].timeout}. */
	private static String path(JacksonException ex) {
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

	/** A query parameter bound into a record did not convert: say what its component expects. */
	private static String bindingMessage(WebExchangeBindException ex, FieldError error) {
		ResolvableType type = (error.isBindingFailure()) ? componentType(ex.getMethodParameter(), error.getField())
				: ResolvableType.NONE;
		return (type != ResolvableType.NONE) ? expected(type) : "has an invalid value";
	}

	private static ResolvableType componentType(@Nullable MethodParameter parameter, String name) {
		Class<?> target = (parameter != null) ? parameter.getParameterType() : null;
		RecordComponent[] components = (target != null) ? target.getRecordComponents() : null;
		for (RecordComponent component : (components != null) ? components : new RecordComponent[0]) {
			if (component.getName().equals(name)) {
				return ResolvableType.forType(component.getGenericType());
			}
		}
		return ResolvableType.NONE;
	}

	private static String expected(ResolvableType type) {
		Class<?> target = type.toClass();
		if (Collection.class.isAssignableFrom(target)) {
			Class<?> element = type.asCollection().resolveGeneric(0);
			return "each value must be " + ((element != null) ? describeParameterType(element) : "valid");
		}
		return "must be " + describeParameterType(target);
	}

	private static String describeParameterType(Class<?> type) {
		if (type == UUID.class) {
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

}
