package io.fanout.scheduler.jobs;

/**
 * What a tenant's jobs use of its quotas, as the jobs table has it now.
 *
 * @param queuedJobs jobs waiting in the queue
 * @param runningJobs jobs running, on any instance
 * @param storedBytes bytes of result bodies stored for its jobs, finished ones included
 */
public record TenantUsage(long queuedJobs, long runningJobs, long storedBytes) {
}
