package io.fanout.scheduler;

import java.time.Duration;

/**
 * Submission refused because {@code fanout.scheduler.max-queued-jobs} jobs are already waiting.
 * {@link #retryAfter()} suggests when to try again (the API sends it as {@code Retry-After}).
 */
public class QueueFullException extends SchedulerException {

	private final int maxQueuedJobs;

	private final Duration retryAfter;

	public QueueFullException(int maxQueuedJobs, Duration retryAfter) {
		super(null, "the job queue is full (" + maxQueuedJobs + " jobs waiting); try again in "
				+ retryAfter.toSeconds() + " s");
		this.maxQueuedJobs = maxQueuedJobs;
		this.retryAfter = retryAfter;
	}

	/** The limit that was reached. */
	public int maxQueuedJobs() {
		return this.maxQueuedJobs;
	}

	/** How long to wait before submitting again. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
