package io.fanout.scheduler.jobs;

import java.time.Duration;

import io.fanout.scheduler.QueueFullException;
import reactor.core.publisher.Mono;

/**
 * The bound on jobs waiting in the queue, all owners together: the one place it is decided, for
 * submissions and schedules' fires alike.
 */
public final class QueueLimit {

	private final JobRepository jobs;

	private final int maxQueuedJobs;

	private final Duration retryAfter;

	/**
	 * @param maxQueuedJobs most jobs waiting
	 * @param retryAfter the wait suggested to a refused client
	 */
	public QueueLimit(JobRepository jobs, int maxQueuedJobs, Duration retryAfter) {
		this.jobs = jobs;
		this.maxQueuedJobs = maxQueuedJobs;
		this.retryAfter = retryAfter;
	}

	/** Completes if there is room for one more job, else fails with {@link #refusal()}. */
	public Mono<Void> check() {
		return this.jobs.countQueued()
			.flatMap((queued) -> (queued >= this.maxQueuedJobs) ? Mono.error(refusal()) : Mono.empty());
	}

	/** The refusal of a job for want of room, with the wait to suggest. */
	public QueueFullException refusal() {
		return new QueueFullException(this.maxQueuedJobs, this.retryAfter);
	}

}
