package io.fanout.scheduler.schedules;

import java.time.Instant;
import java.util.UUID;

import io.fanout.scheduler.ScheduleSpec;
import org.jspecify.annotations.Nullable;

/**
 * A schedule to insert.
 *
 * @param id its time-ordered id
 * @param owner its tenant
 * @param spec its definition
 * @param next its first fire; null when it is not enabled, or its trigger never fires
 * @param createdAt creation time
 */
public record NewSchedule(UUID id, String owner, ScheduleSpec spec, @Nullable FireTime next, Instant createdAt) {

}
