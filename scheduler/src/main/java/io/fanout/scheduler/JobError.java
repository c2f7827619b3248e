package io.fanout.scheduler;

/**
 * Why a job failed as a whole.
 *
 * @param kind the cause, a stable name
 * @param message one line for people
 */
public record JobError(Kind kind, String message) {

	/** Causes of a failed job. */
	public enum Kind {

		/** The job's deadline passed before every request had an outcome. */
		DEADLINE_EXCEEDED,

		/** The job was fail-fast and a request failed. */
		FAIL_FAST,

		/** Fanout itself failed to run the job. */
		INTERNAL

	}

	public JobError {
		if (kind == null) {
			throw new IllegalArgumentException("kind is required");
		}
		message = (message == null || message.isBlank()) ? kind.name() : message.strip().replaceAll("\\s+", " ");
		if (message.length() > 1000) {
			message = message.substring(0, 997) + "...";
		}
	}

}
