package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.store.DueSchedule;
import io.fanout.scheduler.store.FireResult;
import io.fanout.scheduler.store.FireTime;
import io.fanout.scheduler.store.JobStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Fire times, and what follows a fire, shared by the service and the ticker.
 */
final class Firing {

	private static final Log logger = LogFactory.getLog(Firing.class);

	private Firing() {
	}

	/** The first fire of a schedule enabled at {@code now}; null if its trigger never fires. */
	static @Nullable FireTime first(ScheduleSpec spec, Instant now) {
		Instant nominal = spec.trigger().next(now);
		return (nominal != null) ? jittered(nominal, spec.jitter()) : null;
	}

	/**
	 * The fire after a due one, fired at {@code now}: the first trigger time after now, and how many
	 * trigger times passed since the due one (they are not fired: a late schedule fires once).
	 */
	static Next next(DueSchedule due, Instant now) {
		ScheduleTrigger.CatchUp catchUp = due.trigger().catchUp(due.nominal(), now);
		Instant nominal = catchUp.next();
		return new Next((nominal != null) ? jittered(nominal, due.jitter()) : null, catchUp.missed());
	}

	/**
	 * The fire after a due one.
	 *
	 * @param fire when; null if the trigger has no more fire times
	 * @param missed trigger times passed since the due one
	 */
	record Next(@Nullable FireTime fire, long missed) {
	}

	/** The nominal time delayed by a random part of the jitter, jitter included. */
	static FireTime jittered(Instant nominal, @Nullable Duration jitter) {
		if (jitter == null) {
			return FireTime.at(nominal);
		}
		return new FireTime(nominal, nominal.plusMillis(ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1)));
	}

	/**
	 * After a fire that launched a job: a previous job flagged for cancellation while still queued is
	 * cancelled at once (a running one is stopped by its worker, which sees the flag), then a local
	 * worker is asked to look at the queue.
	 */
	static Mono<Void> launched(FireResult result, JobStore jobs, Instant now, Runnable onLaunch) {
		UUID previous = result.previousJobId();
		Mono<Void> cancel = (result.previousCancelled() && previous != null)
				? jobs.cancelQueued(previous, now).onErrorResume((ex) -> {
					// The flag stays: whoever claims the job cancels it.
					logger.warn("Cancelling queued job " + previous + " at once failed: " + ex);
					return Mono.just(false);
				}).then()
				: Mono.empty();
		return cancel.then(Mono.fromRunnable(onLaunch));
	}

}
