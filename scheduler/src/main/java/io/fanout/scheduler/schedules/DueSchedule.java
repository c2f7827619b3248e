package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.fanout.scheduler.ScheduleTrigger;
import org.jspecify.annotations.Nullable;

/**
 * A schedule whose fire time has come, as the tick reads it: enough to compute its next fire time
 * and to claim this one. The rest is read in the transaction that fires it.
 *
 * @param id the schedule
 * @param trigger when it fires
 * @param jitter its random delay, if any
 * @param due the fire time that came ({@code next_fire_at}); the claim names it
 * @param nominal the trigger's time of that fire
 * @param version the definition's version; the claim names it
 */
public record DueSchedule(UUID id, ScheduleTrigger trigger, @Nullable Duration jitter, Instant due, Instant nominal,
		long version) {

}
