package io.fanout.scheduler.schedules;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.QuotaExceededException;
import io.fanout.scheduler.QuotaKind;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.r2dbc.TimeOrderedIds;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The {@link ScheduleService} over a {@link ScheduleStore}. Holds no schedule state of its own, so
 * every replica answers the same. Changes name the version they replace and are tried again if a
 * concurrent change got there first. The status of a schedule's last job is read from the job
 * repository.
 */
public final class DefaultScheduleService implements ScheduleService {

	/** Attempts of a change that keeps losing to concurrent changes. */
	private static final int CHANGE_ATTEMPTS = 5;

	private final ScheduleStore store;

	private final JobRepository jobs;

	private final ScheduleFiring firing;

	private final ScheduleSpecFactory specs;

	private final Clock clock;

	private final Runnable onLaunch;

	private final QuotaProperties quotas;

	private final TimeOrderedIds ids;

	/**
	 * @param jobs the repository of the schedules' jobs
	 * @param firing what a run by hand does
	 * @param specs the server's limits on what a schedule may be
	 * @param onLaunch called after a job was launched, to have a local worker look at the queue now
	 */
	public DefaultScheduleService(ScheduleStore store, JobRepository jobs, ScheduleFiring firing,
			ScheduleSpecFactory specs, Clock clock, Runnable onLaunch) {
		this(store, jobs, firing, specs, QuotaProperties.defaults(), clock, onLaunch);
	}

	/**
	 * @param jobs the repository of the schedules' jobs
	 * @param firing what a run by hand does
	 * @param specs the server's limits on what a schedule may be
	 * @param quotas each owner's schedules quota, which creations respect
	 * @param onLaunch called after a job was launched, to have a local worker look at the queue now
	 */
	public DefaultScheduleService(ScheduleStore store, JobRepository jobs, ScheduleFiring firing,
			ScheduleSpecFactory specs, QuotaProperties quotas, Clock clock, Runnable onLaunch) {
		this.quotas = quotas;
		this.store = store;
		this.jobs = jobs;
		this.firing = firing;
		this.specs = specs;
		this.clock = clock;
		this.onLaunch = onLaunch;
		this.ids = new TimeOrderedIds(clock);
	}

	@Override
	public Mono<Schedule> create(String owner, ScheduleSpec spec) {
		return Mono.defer(() -> {
			checkOwner(owner);
			this.specs.check(spec);
			Instant now = this.clock.instant();
			NewSchedule schedule = new NewSchedule(this.ids.next(), owner, spec,
					spec.enabled() ? ScheduleFiring.first(spec, now) : null, now);
			int quota = this.quotas.of(owner).schedules();
			// Checked before the insert: creations racing each other may pass it together.
			return this.store.count(owner)
				.flatMap((count) -> (count >= quota) ? Mono.error(new QuotaExceededException(QuotaKind.SCHEDULES,
						quota, count, this.quotas.retryAfter())) : this.store.insert(schedule))
				.flatMap(this::withLastJobStatus);
		});
	}

	@Override
	public Mono<Schedule> get(String owner, UUID scheduleId) {
		return this.store.find(owner, scheduleId)
			.switchIfEmpty(Mono.error(() -> new ScheduleNotFoundException(scheduleId)))
			.flatMap(this::withLastJobStatus);
	}

	@Override
	public Mono<SchedulePage> list(String owner, ScheduleQuery query) {
		return this.store.list(owner, query).flatMap((page) -> {
			List<UUID> lastJobs = page.items().stream().map(Schedule::lastJobId).filter(Objects::nonNull).toList();
			return this.jobs.statuses(lastJobs)
				.map((statuses) -> new SchedulePage(
						page.items().stream().map((schedule) -> withLastJobStatus(schedule, statuses)).toList(),
						page.nextCursor()));
		});
	}

	@Override
	public Mono<Schedule> update(String owner, UUID scheduleId, ScheduleSpec spec) {
		return Mono.defer(() -> {
			this.specs.check(spec);
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
			return this.firing.fireNow(owner, scheduleId, this.ids.next(), now).flatMap((result) -> {
				switch (result.outcome()) {
					case LAUNCHED:
						return this.firing.launched(result, now, this.onLaunch).then(Mono.justOrEmpty(result.job()));
					case SKIPPED_OVERLAP:
						return Mono.error(new ScheduleOverlapException(scheduleId,
								Objects.requireNonNull(result.previousJobId()),
								Objects.requireNonNull(result.previousStatus())));
					case SKIPPED_QUEUE_FULL:
						return Mono.error(Objects.requireNonNull(result.refusal()));
					default:
						return Mono.error(new ScheduleNotFoundException(scheduleId));
				}
			});
		});
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
					return withLastJobStatus(stored);
				}
				Instant now = this.clock.instant();
				Mono<Schedule> again = Mono.defer(() -> (attemptsLeft > 1)
						? change(owner, scheduleId, change, attemptsLeft - 1)
						: Mono.error(new IllegalStateException("schedule " + scheduleId + " keeps changing")));
				return this.store
					.replace(owner, scheduleId, stored.version(), spec, nextAfterChange(stored, spec, now), null, now)
					.flatMap(this::withLastJobStatus)
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
		return ScheduleFiring.first(spec, now);
	}

	private Mono<Schedule> withLastJobStatus(StoredSchedule stored) {
		Schedule schedule = stored.schedule();
		UUID lastJob = schedule.lastJobId();
		if (lastJob == null) {
			return Mono.just(schedule);
		}
		return this.jobs.statuses(List.of(lastJob)).map((statuses) -> withLastJobStatus(schedule, statuses));
	}

	private static Schedule withLastJobStatus(Schedule schedule, Map<UUID, JobStatus> statuses) {
		UUID lastJob = schedule.lastJobId();
		return (lastJob != null) ? schedule.withLastJobStatus(statuses.get(lastJob)) : schedule;
	}

	private static void checkOwner(String owner) {
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new IllegalArgumentException("owner must be 1 to 200 characters");
		}
	}

}
