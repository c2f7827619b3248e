package io.fanout.scheduler.jobs;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A tenant's jobs in the queue and running, as a claim or the gauges read them.
 *
 * @param owner the tenant
 * @param queued its jobs waiting
 * @param running its jobs running, on any instance
 * @param oldestQueued when its longest-waiting job was submitted; null if none waits
 */
public record TenantLoad(String owner, long queued, long running, @Nullable Instant oldestQueued) {
}
