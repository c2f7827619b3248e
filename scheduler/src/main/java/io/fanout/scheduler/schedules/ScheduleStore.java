package io.fanout.scheduler.schedules;

import java.time.Instant;
import java.util.UUID;

import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleSpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where schedules live, and the statements a fire is made of. The store knows schedules only: a
 * schedule's {@link io.fanout.scheduler.Schedule#lastJobStatus()} is left null for the service to
 * fill in, and what a fire launches is decided by {@link ScheduleFiring}, which runs these statements
 * and the job's in one transaction. Times are passed in by the caller; the store never reads a clock.
 */
public interface ScheduleStore {

	/**
	 * Inserts a schedule.
	 * @throws ScheduleNameConflictException (as the error signal) if the owner has a schedule of that name
	 */
	Mono<StoredSchedule> insert(NewSchedule schedule);

	/** The owner's schedule, or empty. */
	Mono<StoredSchedule> find(String owner, UUID scheduleId);

	/** The owner's schedule of this name, or empty. */
	Mono<StoredSchedule> findByName(String owner, String name);

	/** A page of the owner's schedules, newest first. */
	Mono<SchedulePage> list(String owner, ScheduleQuery query);

	/**
	 * Replaces the definition of the owner's schedule if it is still at {@code version}, and its next
	 * fire time; counts and the last job stay.
	 * @param declaredHash the declaration's hash, for a schedule declared in configuration; null keeps
	 * the stored one
	 * @return the schedule after the change, or empty if it is gone or its version changed meanwhile
	 * @throws ScheduleNameConflictException (as the error signal) if the new name is taken
	 */
	Mono<StoredSchedule> replace(String owner, UUID scheduleId, long version, ScheduleSpec spec,
			@Nullable FireTime next, @Nullable String declaredHash, Instant now);

	/** How many schedules the owner has, declared ones included. */
	Mono<Long> count(String owner);

	/** Deletes the owner's schedule. @return whether there was one */
	Mono<Boolean> delete(String owner, UUID scheduleId);

	/**
	 * Creates or updates a schedule declared in configuration: inserted if its owner has none of that
	 * name, replaced (with {@code schedule.next()} as its next fire) if its stored declaration hash
	 * differs, left alone if equal. Safe when replicas do it at the same time.
	 * @return the schedule, and whether this call changed it
	 */
	Mono<Upserted> upsertDeclared(NewSchedule schedule);

	/**
	 * The outcome of {@link #upsertDeclared}.
	 *
	 * @param schedule the schedule as stored now
	 * @param changed whether this call created or replaced it
	 */
	record Upserted(StoredSchedule schedule, boolean changed) {
	}

	// The statements of a fire; see ScheduleFiring.

	/** Schedules whose fire time is at or before {@code now}, earliest first. One indexed query. */
	Flux<DueSchedule> findDue(Instant now, int limit);

	/**
	 * Claims a due fire: moves {@code next_fire_at} from {@code due.due()} to {@code next}, only if it
	 * is still there and the definition still at {@code due.version()}, and adds {@code missed}. Of
	 * replicas claiming one fire, one gets the schedule; the others wait for its row lock, then find
	 * it moved. Run it in the transaction that launches the job.
	 * @param next the next fire; null when the trigger has no more
	 * @return the schedule, locked for the transaction; empty if another replica claimed it first
	 */
	Mono<StoredSchedule> claimFire(DueSchedule due, @Nullable FireTime next, long missed);

	/**
	 * The owner's schedule, its row locked for the caller's transaction, as a claim would: fires by
	 * hand and by the tick are serialized.
	 * @return the schedule, or empty if the owner has no such schedule
	 */
	Mono<StoredSchedule> lock(String owner, UUID scheduleId);

	/** Counts a fire that launched nothing. */
	Mono<Void> addSkipped(UUID scheduleId);

	/** Records the job a fire launched. */
	Mono<Void> recordLaunch(UUID scheduleId, UUID jobId, Instant launchedAt);

}
