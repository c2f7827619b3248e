package io.fanout.scheduler.jobs;

import java.time.Duration;

import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.QuotaExceededException;
import io.fanout.scheduler.QuotaKind;
import io.fanout.scheduler.QuotaProperties;
import reactor.core.publisher.Mono;

/**
 * The bounds on jobs waiting: the queue's, all owners together, and each owner's job quotas (queued
 * jobs, stored bytes). The one place it is decided, for submissions and schedules' fires alike.
 * Checked before the insert, like the queue's own bound: submissions racing each other may pass it
 * together, by at most their number.
 */
public final class QueueLimit {

	private final JobRepository jobs;

	private final int maxQueuedJobs;

	private final Duration retryAfter;

	private final QuotaProperties quotas;

	/** With the default quotas per owner. */
	public QueueLimit(JobRepository jobs, int maxQueuedJobs, Duration retryAfter) {
		this(jobs, maxQueuedJobs, retryAfter, QuotaProperties.defaults());
	}

	/**
	 * @param maxQueuedJobs most jobs waiting
	 * @param retryAfter the wait suggested to a client refused for a full queue
	 * @param quotas each owner's quotas, and the wait suggested to a client refused for one
	 */
	public QueueLimit(JobRepository jobs, int maxQueuedJobs, Duration retryAfter, QuotaProperties quotas) {
		this.jobs = jobs;
		this.maxQueuedJobs = maxQueuedJobs;
		this.retryAfter = retryAfter;
		this.quotas = quotas;
	}

	/**
	 * Completes if there is room for one more job of {@code owner}, else fails with a
	 * {@link QueueFullException} or a {@link QuotaExceededException} naming the quota.
	 */
	public Mono<Void> check(String owner) {
		QuotaProperties.Quota quota = this.quotas.of(owner);
		return this.jobs.countQueued().flatMap((queued) -> (queued >= this.maxQueuedJobs) ? Mono.error(refusal())
				: this.jobs.usage(owner).flatMap((usage) -> {
					if (usage.queuedJobs() >= quota.queuedJobs()) {
						return Mono.error(exceeded(QuotaKind.QUEUED_JOBS, quota.queuedJobs(), usage.queuedJobs()));
					}
					long bytes = quota.storedBytes().toBytes();
					if (usage.storedBytes() >= bytes) {
						return Mono.error(exceeded(QuotaKind.STORED_BYTES, bytes, usage.storedBytes()));
					}
					return Mono.empty();
				}));
	}

	/** The refusal of a job for want of room in the queue, with the wait to suggest. */
	public QueueFullException refusal() {
		return new QueueFullException(this.maxQueuedJobs, this.retryAfter);
	}

	private QuotaExceededException exceeded(QuotaKind kind, long limit, long usage) {
		return new QuotaExceededException(kind, limit, usage, this.quotas.retryAfter());
	}

}
