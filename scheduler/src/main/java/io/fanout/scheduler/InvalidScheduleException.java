package io.fanout.scheduler;

import java.util.List;

import io.fanout.fetch.Violation;

/**
 * A schedule that cannot be accepted as given. Every invalid part found is a {@link Violation} whose
 * field is its path, as the API names it: {@code name}, {@code trigger.cron}, {@code trigger.timezone},
 * {@code trigger.fixedRate}, {@code jitter}, {@code template.requests[0].url}; {@link #field()} is the
 * first one's.
 */
public class InvalidScheduleException extends SchedulerException {

	private final List<Violation> violations;

	public InvalidScheduleException(String field, String message) {
		this(List.of(new Violation(field, message)));
	}

	/** @param violations every invalid part found, at least one */
	public InvalidScheduleException(List<Violation> violations) {
		super(null, InvalidJobSpecException.summary(violations));
		this.violations = List.copyOf(violations);
	}

	/** A template refused as a job spec: its fields, under {@code template}. */
	public static InvalidScheduleException forTemplate(InvalidJobSpecException cause) {
		return new InvalidScheduleException(cause.violations().stream().map((v) -> v.under("template")).toList());
	}

	/** The path of the first offending field. */
	public String field() {
		return this.violations.get(0).field();
	}

	/** Every invalid part found, in the order it was found. */
	public List<Violation> violations() {
		return this.violations;
	}

}
