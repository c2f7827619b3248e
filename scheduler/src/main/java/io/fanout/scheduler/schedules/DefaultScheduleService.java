package io.fanout.scheduler.schedules;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.JobIds;
import io.fanout.scheduler.store.FireResult;
import io.fanout.scheduler.store.FireTime;
import io.fanout.scheduler.store.JobStore;
import io.fanout.scheduler.store.NewSchedule;
import io.fanout.scheduler.store.ScheduleStore;
import io.fanout.scheduler.store.StoredSchedule;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The {@link ScheduleService} over a {@link ScheduleStore}. Holds no schedule state of its own, so
 * every replica answers the same. Changes name the version they replace and are tried again if a
 * concurrent change got there first.
 */
public final class DefaultScheduleService implements ScheduleService {

	/** Attempts of a change that keeps losing to concurrent changes. */
	private static final int CHANGE_ATTEMPTS = 5;

	private final ScheduleStore store;

	private final JobStore jobs;

	private final SchedulerProperties properties;

	private final Clock clock;

	private final Runnable onLaunch;

	private final JobIds ids;

	/**
	 * @param jobs the job store the schedules' jobs are in, to cancel a queued previous job at once
	 * @param onLaunch called after a job was launched, to have a local worker look at the queue now
	 */
	public DefaultScheduleService(ScheduleStore store, JobStore jobs, SchedulerProperties properties, Clock clock,
			Runnable onLaunch) {
		this.store = store;
		this.jobs = jobs;
		this.properties = properties;
		this.clock = clock;
		this.onLaunch = onLaunch;
		this.ids = new JobIds(clock);
	}

	@Override
	public Mono<Schedule> create(String owner, ScheduleSpec spec) {
		return Mono.defer(() -> {
			checkOwner(owner);
			Instant now = this.clock.instant();
			check(spec, now, this.properties);
			NewSchedule schedule = new NewSchedule(this.ids.next(), owner, spec,
					spec.enabled() ? Firing.first(spec, now) : null, now);
			return this.store.insert(schedule).map(StoredSchedule::schedule);
		});
	}

	@Override
	public Mono<Schedule> get(String owner, UUID scheduleId) {
		return this.store.find(owner, scheduleId)
			.map(StoredSchedule::schedule)
			.switchIfEmpty(Mono.error(() -> new ScheduleNotFoundException(scheduleId)));
	}

	@Override
	public Mono<SchedulePage> list(String owner, ScheduleQuery query) {
		return this.store.list(owner, query);
	}

	@Override
	public Mono<Schedule> update(String owner, UUID scheduleId, ScheduleSpec spec) {
		return Mono.defer(() -> {
			check(spec, this.clock.instant(), this.properties);
			return change(owner, scheduleId, (current) -> spec, CHANGE_ATTEMPTS);
		});
	}

	@Override
	public Mono<Void> delete(String owner, UUID scheduleId) {
		return this.store.delete(owner, scheduleId)
			.flatMap((deleted) -> deleted ? Mono.<Void>empty()
					: Mono.error(new ScheduleNotFoundException(scheduleId)));
	}

	@Override
	public Mono<Schedule> pause(String owner, UUID scheduleId) {
		return change(owner, scheduleId, (current) -> current.enabled() ? current.spec().withEnabled(false) : null,
				CHANGE_ATTEMPTS);
	}

	@Override
	public Mono<Schedule> resume(String owner, UUID scheduleId) {
		return change(owner, scheduleId, (current) -> current.enabled() ? null : current.spec().withEnabled(true),
				CHANGE_ATTEMPTS);
	}

	@Override
	public Mono<Job> trigger(String owner, UUID scheduleId) {
		return Mono.defer(() -> {
			Instant now = this.clock.instant();
			int maxQueued = this.properties.maxQueuedJobs();
			return this.store.fireNow(owner, scheduleId, this.ids.next(), now, maxQueued).flatMap((result) -> {
				switch (result.outcome()) {
					case LAUNCHED:
						return Firing.launched(result, this.jobs, now, this.onLaunch)
							.then(Mono.justOrEmpty(result.job()));
					case SKIPPED_OVERLAP:
						return Mono.error(new ScheduleOverlapException(scheduleId,
								Objects.requireNonNull(result.previousJobId()),
								Objects.requireNonNull(result.previousStatus())));
					case SKIPPED_QUEUE_FULL:
						return Mono.error(new QueueFullException(maxQueued, this.properties.queueFullRetryAfter()));
					default:
						return Mono.error(new ScheduleNotFoundException(scheduleId));
				}
			});
		});
	}

	/**
	 * Checks what depends on configuration: the shortest fixed rate, the requests per job, and that
	 * the trigger fires at all.
	 * @throws InvalidScheduleException naming the field
	 */
	static void check(ScheduleSpec spec, Instant now, SchedulerProperties properties) {
		int maxRequests = properties.maxRequestsPerJob();
		int requests = spec.template().requests().size();
		if (requests > maxRequests) {
			throw new InvalidScheduleException("template.requests",
					"a job may have at most " + maxRequests + " requests, not " + requests);
		}
		if (spec.trigger() instanceof ScheduleTrigger.FixedRate rate
				&& rate.period().compareTo(properties.minFixedRate()) < 0) {
			throw new InvalidScheduleException("trigger.fixedRate",
					"a fixed rate must be at least " + properties.minFixedRate());
		}
		if (spec.trigger().next(now) == null) {
			throw new InvalidScheduleException("trigger.cron", "the cron expression never fires");
		}
	}

	/**
	 * Replaces the schedule's definition with what {@code change} makes of it (nothing if it answers
	 * null), naming the version it read; a concurrent change makes it read and try again.
	 */
	private Mono<Schedule> change(String owner, UUID scheduleId, Function<Schedule, @Nullable ScheduleSpec> change,
			int attemptsLeft) {
		return this.store.find(owner, scheduleId)
			.switchIfEmpty(Mono.error(() -> new ScheduleNotFoundException(scheduleId)))
			.flatMap((stored) -> {
				Schedule current = stored.schedule();
				ScheduleSpec spec = change.apply(current);
				if (spec == null) {
					return Mono.just(current);
				}
				Instant now = this.clock.instant();
				Mono<Schedule> again = Mono.defer(() -> (attemptsLeft > 1)
						? change(owner, scheduleId, change, attemptsLeft - 1)
						: Mono.error(new IllegalStateException("schedule " + scheduleId + " keeps changing")));
				return this.store
					.replace(owner, scheduleId, stored.version(), spec, nextAfterChange(stored, spec, now), null, now)
					.map(StoredSchedule::schedule)
					.switchIfEmpty(again);
			});
	}

	/**
	 * The next fire stays unless what decides it changed (trigger, jitter, enabled); then it is the
	 * trigger's first time after now.
	 */
	private static @Nullable FireTime nextAfterChange(StoredSchedule stored, ScheduleSpec spec, Instant now) {
		Schedule current = stored.schedule();
		if (!spec.enabled()) {
			return null;
		}
		Instant nominal = stored.nominalFireAt();
		Instant at = current.nextFireAt();
		if (current.enabled() && nominal != null && at != null && current.trigger().equals(spec.trigger())
				&& Objects.equals(current.jitter(), spec.jitter())) {
			return new FireTime(nominal, at);
		}
		return Firing.first(spec, now);
	}

	private static void checkOwner(String owner) {
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new IllegalArgumentException("owner must be 1 to 200 characters");
		}
	}

}
