package io.fanout.fetch;

import java.util.Objects;

/**
 * One invalid part of something submitted: where it is and what is wrong with it.
 *
 * @param field the path of the offending part ({@code url}, {@code retry.maxAttempts},
 * {@code requests[3].extract.temperature})
 * @param message what is wrong with it, for people
 */
public record Violation(String field, String message) {

	public Violation {
		Objects.requireNonNull(field, "field");
		Objects.requireNonNull(message, "message");
	}

	/** The same violation one level down: {@code url} under {@code requests[3]} is {@code requests[3].url}. */
	public Violation under(String prefix) {
		if (prefix.isEmpty()) {
			return this;
		}
		return new Violation(this.field.isEmpty() ? prefix : prefix + "." + this.field, this.message);
	}

}
