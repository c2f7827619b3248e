package io.fanout.scheduler;

import java.time.Duration;

/**
 * A submission refused because the tenant is at one of its quotas ({@link QuotaProperties}).
 * {@link #retryAfter()} suggests when to try again (the API sends it as {@code Retry-After}); a job
 * that finishes frees its place in the job quotas, a deleted or purged one its stored bytes.
 */
public class QuotaExceededException extends SchedulerException {

	private final QuotaKind quota;

	private final long limit;

	private final long usage;

	private final Duration retryAfter;

	public QuotaExceededException(QuotaKind quota, long limit, long usage, Duration retryAfter) {
		super(null, "the tenant is at its " + quota.description() + " quota (" + usage + " of " + limit + ")");
		this.quota = quota;
		this.limit = limit;
		this.usage = usage;
		this.retryAfter = retryAfter;
	}

	/** Which quota was hit. */
	public QuotaKind quota() {
		return this.quota;
	}

	/** The tenant's quota. */
	public long limit() {
		return this.limit;
	}

	/** What the tenant uses of it. */
	public long usage() {
		return this.usage;
	}

	/** How long to wait before submitting again. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
