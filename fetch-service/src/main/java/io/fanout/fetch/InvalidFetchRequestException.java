package io.fanout.fetch;

import java.util.List;

/**
 * A fetch request or policy that cannot be run, refused before anything is sent. Every invalid part
 * found is a {@link Violation}, its field named relative to the request or policy ({@code url},
 * {@code extract.temperature}, {@code concurrency}); {@link #field()} is the first one's.
 */
public class InvalidFetchRequestException extends FetchException {

	private final List<Violation> violations;

	public InvalidFetchRequestException(String field, String message) {
		this(List.of(new Violation(field, message)));
	}

	/** @param violations every invalid part found, at least one */
	public InvalidFetchRequestException(List<Violation> violations) {
		super(summary(violations));
		this.violations = List.copyOf(violations);
	}

	/** The path of the first offending field, relative to the request or policy. */
	public String field() {
		return this.violations.get(0).field();
	}

	/** Every invalid part found, in the order it was found. */
	public List<Violation> violations() {
		return this.violations;
	}

	private static String summary(List<Violation> violations) {
		if (violations.isEmpty()) {
			throw new IllegalArgumentException("at least one violation is required");
		}
		// One field: its message as it is, which callers show. Several: the first and a count.
		String first = violations.get(0).message();
		return (violations.size() == 1) ? first : first + " (and " + (violations.size() - 1) + " more)";
	}

}
