package io.fanout.scheduler.schedules;

import java.time.Instant;

import io.fanout.scheduler.Schedule;
import org.jspecify.annotations.Nullable;

/**
 * A schedule as stored, with what only the store and the services need.
 *
 * @param schedule the schedule
 * @param version bumped by every change of the definition; changes name the version they replace
 * @param nominalFireAt the trigger's time of the next fire ({@link Schedule#nextFireAt()} without
 * jitter)
 * @param declaredHash for a schedule declared in configuration, the hash of the declaration last applied
 */
public record StoredSchedule(Schedule schedule, long version, @Nullable Instant nominalFireAt,
		@Nullable String declaredHash) {

}
