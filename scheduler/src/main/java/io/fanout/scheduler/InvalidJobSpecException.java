package io.fanout.scheduler;

import io.fanout.fetch.InvalidFetchRequestException;

/**
 * A job that cannot be accepted as submitted. {@link #field()} is the path of the offending part of
 * the submission, as the API names it: {@code requests}, {@code requests[3].url},
 * {@code requests[0].extract.temperature}, {@code retry.maxAttempts}, {@code labels.team}.
 */
public class InvalidJobSpecException extends SchedulerException {

	private final String field;

	public InvalidJobSpecException(String field, String message) {
		super(null, message);
		this.field = field;
	}

	private InvalidJobSpecException(String field, String message, Throwable cause) {
		super(null, message, cause);
		this.field = field;
	}

	/** The request at {@code index} was refused by fetch-service: its field, prefixed by its position. */
	public static InvalidJobSpecException forRequest(int index, InvalidFetchRequestException cause) {
		return new InvalidJobSpecException("requests[" + index + "]." + cause.field(), cause.getMessage(), cause);
	}

	/** The fetch policy was refused by fetch-service; its fields are top-level fields of a job. */
	public static InvalidJobSpecException forPolicy(InvalidFetchRequestException cause) {
		return new InvalidJobSpecException(cause.field(), cause.getMessage(), cause);
	}

	/** The path of the offending field. */
	public String field() {
		return this.field;
	}

}
