package io.fanout.scheduler.store;

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
 * Where schedules live, and how they fire: a fire moves the schedule's {@code next_fire_at} on with
 * a conditional update and inserts its job, in one transaction of the job store's database, so that
 * of all replicas exactly one fires each fire time, and a crash between the two is impossible. Times
 * are passed in by the caller; the store never reads a clock.
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

	// Firing

	/** Schedules whose fire time is at or before {@code now}, earliest first. One indexed query. */
	Flux<DueSchedule> findDue(Instant now, int limit);

	/**
	 * Fires a due schedule, in one transaction: claims the fire by moving {@code next_fire_at} from
	 * {@code due.due()} to {@code next} (only if it is still there and the definition still at
	 * {@code due.version()}), adds {@code missed}, then applies the overlap policy to the job launched
	 * last and, unless it skips, inserts job {@code jobId} (unless {@code maxQueuedJobs} are queued).
	 * @param next the next fire; null when the trigger has no more
	 * @return what was done; {@link FireResult.Outcome#NOT_CLAIMED} if another replica fired it first
	 */
	Mono<FireResult> fire(DueSchedule due, @Nullable FireTime next, long missed, UUID jobId, Instant now,
			int maxQueuedJobs);

	/**
	 * Fires the owner's schedule now, outside its cadence, in one transaction that locks it: applies
	 * the overlap policy and inserts job {@code jobId}, like {@link #fire}, but leaves the next fire time.
	 * @return what was done; {@link FireResult.Outcome#NOT_FOUND} if the owner has no such schedule
	 */
	Mono<FireResult> fireNow(String owner, UUID scheduleId, UUID jobId, Instant now, int maxQueuedJobs);

}
