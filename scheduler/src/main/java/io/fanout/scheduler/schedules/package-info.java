/**
 * Schedules: the {@link io.fanout.scheduler.ScheduleService} on top of the schedule store, the ticker
 * that fires due schedules on every instance, and the schedules declared in configuration.
 */
@NullMarked
package io.fanout.scheduler.schedules;

import org.jspecify.annotations.NullMarked;
