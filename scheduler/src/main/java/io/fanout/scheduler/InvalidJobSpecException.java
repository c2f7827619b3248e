package io.fanout.scheduler;

import java.util.List;

import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.Violation;

/**
 * A job that cannot be accepted as submitted. Every invalid part found is a {@link Violation} whose
 * field is its path in the submission, as the API names it: {@code requests}, {@code requests[3].url},
 * {@code requests[0].extract.temperature}, {@code retry.maxAttempts}, {@code labels.team};
 * {@link #field()} is the first one's.
 */
public class InvalidJobSpecException extends SchedulerException {

	private final List<Violation> violations;

	public InvalidJobSpecException(String field, String message) {
		this(List.of(new Violation(field, message)));
	}

	/** @param violations every invalid part found, at least one */
	public InvalidJobSpecException(List<Violation> violations) {
		super(null, summary(violations));
		this.violations = List.copyOf(violations);
	}

	/** The request at {@code index} was refused by fetch-service: its fields, prefixed by its position. */
	public static InvalidJobSpecException forRequest(int index, InvalidFetchRequestException cause) {
		return new InvalidJobSpecException(cause.violations().stream().map((v) -> v.under(requestPath(index))).toList());
	}

	/** The fetch policy was refused by fetch-service; its fields are top-level fields of a job. */
	public static InvalidJobSpecException forPolicy(InvalidFetchRequestException cause) {
		return new InvalidJobSpecException(cause.violations());
	}

	/** Where the request at {@code index} is in a submission: {@code requests[3]}. */
	public static String requestPath(int index) {
		return "requests[" + index + "]";
	}

	/** The path of the first offending field. */
	public String field() {
		return this.violations.get(0).field();
	}

	/** Every invalid part found, in the order it was found. */
	public List<Violation> violations() {
		return this.violations;
	}

	static String summary(List<Violation> violations) {
		if (violations.isEmpty()) {
			throw new IllegalArgumentException("at least one violation is required");
		}
		String first = violations.get(0).message();
		return (violations.size() == 1) ? first : first + " (and " + (violations.size() - 1) + " more)";
	}

}
