package io.fanout.scheduler;

import java.util.UUID;

import reactor.core.publisher.Mono;

/**
 * Creates, finds, changes, pauses and deletes schedules, and runs them by hand. Every operation is
 * scoped to an owner (the tenant): another owner's schedule is reported as
 * {@link ScheduleNotFoundException}. The jobs a schedule launches are ordinary jobs of its owner,
 * carrying its id ({@link Job#scheduleId()}, {@link JobQuery#withScheduleId}).
 * <p>
 * Every replica fires due schedules; the store makes sure each fire time launches at most one job
 * cluster-wide.
 */
public interface ScheduleService {

	/**
	 * Creates a schedule; if enabled, it first fires at its trigger's first time after now.
	 * @throws InvalidScheduleException (as the error signal) for a definition over the configured limits
	 * @throws ScheduleNameConflictException (as the error signal) if the owner has a schedule of that name
	 * @throws QuotaExceededException (as the error signal) if the owner is at its schedules quota
	 */
	Mono<Schedule> create(String owner, ScheduleSpec spec);

	/** The schedule, or {@link ScheduleNotFoundException}. */
	Mono<Schedule> get(String owner, UUID scheduleId);

	/** The owner's schedules, newest first. */
	Mono<SchedulePage> list(String owner, ScheduleQuery query);

	/**
	 * Replaces the definition. The next fire time stays unless the trigger, the jitter or
	 * {@code enabled} changed; then it is computed again from now. Counts and the last job stay.
	 * @throws InvalidScheduleException (as the error signal) for a definition over the configured limits
	 * @throws ScheduleNameConflictException (as the error signal) if the new name is taken
	 */
	Mono<Schedule> update(String owner, UUID scheduleId, ScheduleSpec spec);

	/** Deletes the schedule; the jobs it launched stay. */
	Mono<Void> delete(String owner, UUID scheduleId);

	/** Stops the schedule from firing until resumed. Pausing a paused schedule changes nothing. */
	Mono<Schedule> pause(String owner, UUID scheduleId);

	/**
	 * Lets a paused schedule fire again, from its trigger's first time after now: the fire times of
	 * the pause are not missed, they are skipped over. Resuming an enabled schedule changes nothing.
	 */
	Mono<Schedule> resume(String owner, UUID scheduleId);

	/**
	 * Launches the schedule's job now, outside its cadence (paused or not), honouring its overlap
	 * policy. The next fire time stays.
	 * @return the launched job
	 * @throws ScheduleOverlapException (as the error signal) if the previous job is still going and the
	 * policy is {@link OverlapPolicy#SKIP}; the attempt counts as skipped
	 * @throws QueueFullException (as the error signal) when {@code max-queued-jobs} are waiting
	 */
	Mono<Job> trigger(String owner, UUID scheduleId);

}
