package io.fanout.scheduler;

/**
 * A tenant's quotas and what it uses of them now.
 *
 * @param tenant the tenant
 * @param quota its quotas and weight
 * @param queuedJobs its jobs waiting in the queue
 * @param runningJobs its jobs running, all instances together
 * @param schedules its schedules
 * @param storedBytes bytes of result bodies stored for its jobs
 */
public record TenantLimits(String tenant, QuotaProperties.Quota quota, long queuedJobs, long runningJobs,
		long schedules, long storedBytes) {
}
