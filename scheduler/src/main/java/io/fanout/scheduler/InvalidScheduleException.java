package io.fanout.scheduler;

/**
 * A schedule that cannot be accepted as given. {@link #field()} is the path of the offending part, as
 * the API names it: {@code name}, {@code trigger.cron}, {@code trigger.timezone},
 * {@code trigger.fixedRate}, {@code jitter}, {@code template.requests[0].url}.
 */
public class InvalidScheduleException extends SchedulerException {

	private final String field;

	public InvalidScheduleException(String field, String message) {
		super(null, message);
		this.field = field;
	}

	/** A template refused as a job spec: its field, under {@code template}. */
	public static InvalidScheduleException forTemplate(InvalidJobSpecException cause) {
		return new InvalidScheduleException("template." + cause.field(), cause.getMessage());
	}

	/** The path of the offending field. */
	public String field() {
		return this.field;
	}

}
