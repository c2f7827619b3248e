package io.fanout.api.problems;

import java.util.List;

/**
 * A request the API refuses before it reaches the scheduler, with every invalid field it found.
 * Reported as a {@link ProblemType#VALIDATION} problem.
 */
public class InvalidRequestException extends RuntimeException {

	private final List<InvalidField> errors;

	public InvalidRequestException(List<InvalidField> errors) {
		super(summary(errors));
		this.errors = List.copyOf(errors);
	}

	public InvalidRequestException(String field, String message) {
		this(List.of(new InvalidField(field, message)));
	}

	/** The invalid fields, in the order they were found. */
	public List<InvalidField> errors() {
		return this.errors;
	}

	private static String summary(List<InvalidField> errors) {
		if (errors.isEmpty()) {
			throw new IllegalArgumentException("at least one invalid field is required");
		}
		InvalidField first = errors.get(0);
		String more = (errors.size() > 1) ? " (and " + (errors.size() - 1) + " more)" : "";
		return first.field() + ": " + first.message() + more;
	}

}
