/**
 * Tenants' quotas as operators and tenants see them: the limits and usage service, and per-tenant
 * gauges. Where quotas are enforced is elsewhere: submissions in {@code jobs.QueueLimit}, schedules
 * in {@code schedules.DefaultScheduleService}, running jobs in the claim, requests in flight in the
 * fetch client.
 */
@NullMarked
package io.fanout.scheduler.quotas;

import org.jspecify.annotations.NullMarked;
