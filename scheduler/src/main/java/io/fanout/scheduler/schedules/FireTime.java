package io.fanout.scheduler.schedules;

import java.time.Instant;

/**
 * When a schedule fires next.
 *
 * @param nominal the trigger's time, from which the fire time after it is computed
 * @param at when it fires: the nominal time plus the schedule's jitter, if any
 */
public record FireTime(Instant nominal, Instant at) {

	/** A fire time without jitter. */
	public static FireTime at(Instant instant) {
		return new FireTime(instant, instant);
	}

}
