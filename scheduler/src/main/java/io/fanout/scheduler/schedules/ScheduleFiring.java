package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.QuotaExceededException;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerException;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.jobs.NewJob;
import io.fanout.scheduler.jobs.QueueLimit;
import io.fanout.scheduler.r2dbc.Database;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What a fire of a schedule does, for the ticker and for a run by hand: in one transaction, the
 * claim (or the lock) of the schedule, then its overlap policy against the job it launched last,
 * then the queue bound, then the job, inserted with the job repository's statements and recorded on
 * the schedule. Either all of it commits or none: a crash in between rolls back the claim too, and
 * the fire time stays due for the next tick, on any replica. Also where fire times are computed.
 */
public final class ScheduleFiring {

	private static final Log logger = LogFactory.getLog(ScheduleFiring.class);

	private final Database database;

	private final ScheduleStore schedules;

	private final JobRepository jobs;

	private final QueueLimit queueLimit;

	/**
	 * @param database the database of both stores, whose transaction spans them
	 */
	public ScheduleFiring(Database database, ScheduleStore schedules, JobRepository jobs, QueueLimit queueLimit) {
		this.database = database;
		this.schedules = schedules;
		this.jobs = jobs;
		this.queueLimit = queueLimit;
	}

	/**
	 * Fires a due schedule: claims the fire by moving it on to {@code next} (with {@code missed}
	 * fire times passed), then launches job {@code jobId} as its policies allow.
	 * @return what was done; {@link FireResult.Outcome#NOT_CLAIMED} if another replica fired it first or
	 * its definition changed since it was read
	 */
	public Mono<FireResult> fire(DueSchedule due, @Nullable FireTime next, long missed, UUID jobId, Instant now) {
		return this.database.transactional(this.schedules.claimFire(due, next, missed)
			.flatMap((claimed) -> launch(claimed.schedule(), jobId, now))
			.defaultIfEmpty(FireResult.of(FireResult.Outcome.NOT_CLAIMED)));
	}

	/**
	 * Fires the owner's schedule now, outside its cadence: locks it, then launches job {@code jobId}
	 * as its policies allow; the next fire time stays.
	 * @return what was done; {@link FireResult.Outcome#NOT_FOUND} if the owner has no such schedule
	 */
	public Mono<FireResult> fireNow(String owner, UUID scheduleId, UUID jobId, Instant now) {
		return this.database.transactional(this.schedules.lock(owner, scheduleId)
			.flatMap((locked) -> launch(locked.schedule(), jobId, now))
			.defaultIfEmpty(FireResult.of(FireResult.Outcome.NOT_FOUND)));
	}

	/**
	 * After a fire that launched a job: a previous job flagged for cancellation while still queued is
	 * cancelled at once (a running one is stopped by its worker, which sees the flag), then a local
	 * worker is asked to look at the queue.
	 */
	Mono<Void> launched(FireResult result, Instant now, Runnable onLaunch) {
		UUID previous = result.previousJobId();
		Mono<Void> cancel = (result.previousCancelled() && previous != null)
				? this.jobs.cancelQueued(previous, now).onErrorResume((ex) -> {
					// The flag stays: whoever claims the job cancels it.
					logger.warn("Cancelling queued job " + previous + " at once failed: " + ex);
					return Mono.just(false);
				}).then()
				: Mono.empty();
		return cancel.then(Mono.fromRunnable(onLaunch));
	}

	/** The part of a fire after the claim, on the schedule as locked by it. */
	private Mono<FireResult> launch(Schedule schedule, UUID jobId, Instant now) {
		UUID previous = schedule.lastJobId();
		Mono<Map<UUID, JobStatus>> previousStatus = (previous != null) ? this.jobs.statuses(List.of(previous))
				: Mono.just(Map.of());
		return previousStatus.flatMap((statuses) -> {
			JobStatus status = (previous != null) ? statuses.get(previous) : null;
			boolean going = status != null && !status.isTerminal();
			UUID goingId = going ? previous : null;
			JobStatus goingStatus = going ? status : null;
			if (going && schedule.overlap() == OverlapPolicy.SKIP) {
				return this.schedules.addSkipped(schedule.id())
					.thenReturn(new FireResult(FireResult.Outcome.SKIPPED_OVERLAP, null, goingId, goingStatus, false,
							null));
			}
			boolean cancelPrevious = going && schedule.overlap() == OverlapPolicy.CANCEL_PREVIOUS;
			return this.queueLimit.check(schedule.owner())
				.then(cancelPrevious ? this.jobs.requestCancel(schedule.owner(), previous) : Mono.just(false))
				.flatMap((cancelled) -> this.jobs
					.insert(new NewJob(jobId, schedule.owner(), jobSpec(schedule), null, schedule.id(), now))
					.flatMap((job) -> this.schedules.recordLaunch(schedule.id(), job.id(), job.createdAt())
						.thenReturn(new FireResult(FireResult.Outcome.LAUNCHED, job, goingId, goingStatus, cancelled,
								null))))
				.onErrorResume(ScheduleFiring::isRoomRefusal, (refusal) -> this.schedules.addSkipped(schedule.id())
					.thenReturn(new FireResult(FireResult.Outcome.SKIPPED_QUEUE_FULL, null, goingId, goingStatus,
							false, (SchedulerException) refusal)));
		});
	}

	/** A refusal for want of room: the queue is full, or the owner at a job quota. */
	private static boolean isRoomRefusal(Throwable ex) {
		return ex instanceof QueueFullException || ex instanceof QuotaExceededException;
	}

	/** The job a schedule submits: its template, named after the schedule unless the template has a name. */
	private static JobSpec jobSpec(Schedule schedule) {
		JobSpec template = schedule.template();
		return (template.name() != null) ? template : template.withName(schedule.name());
	}

	// Fire times

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

}
