package io.fanout.scheduler.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.transaction.reactive.TransactionalOperator;

import static io.fanout.scheduler.store.Sql.bind;
import static io.fanout.scheduler.store.Sql.instant;
import static io.fanout.scheduler.store.Sql.micros;
import static io.fanout.scheduler.store.Sql.page;
import static io.fanout.scheduler.store.Sql.required;
import static io.fanout.scheduler.store.Sql.requiredInstant;
import static io.fanout.scheduler.store.Sql.timestamp;

/**
 * The {@link ScheduleStore} on the database of an {@link R2dbcJobStore}, for H2 and PostgreSQL alike:
 * a fire inserts its job with the job store's own statements, in the transaction that claims it, and
 * runs where the job store runs its driver.
 * <p>
 * The claim is {@code UPDATE schedules SET next_fire_at = :next … WHERE id = :id AND next_fire_at =
 * :due AND version = :version}: on PostgreSQL a second claimer waits for the first one's row lock,
 * then finds the row changed and updates nothing; on H2 the same. Exactly one claimer goes on to
 * insert the job, in the same transaction, so either both happen or neither.
 */
public final class R2dbcScheduleStore implements ScheduleStore {

	private static final String COLUMNS = "s.id, s.owner, s.name, s.cron, s.timezone, s.fixed_rate_ms, s.template, "
			+ "s.overlap, s.enabled, s.jitter_ms, s.next_fire_at, s.nominal_fire_at, s.last_fired_at, s.last_job_id, "
			+ "s.missed_count, s.skipped_count, s.declared_hash, s.version, s.created_at, s.updated_at, "
			+ "j.status AS last_job_status";

	private static final String FROM = " FROM schedules s LEFT JOIN jobs j ON j.id = s.last_job_id";

	/** Attempts of an upsert that loses races with other replicas before it gives up. */
	private static final int UPSERT_ATTEMPTS = 5;

	private final R2dbcJobStore jobs;

	private final DatabaseClient db;

	private final TransactionalOperator tx;

	private final ScheduleCodec codec = new ScheduleCodec();

	/** A schedule store on the job store's database, sharing its client, transactions and threads. */
	public R2dbcScheduleStore(R2dbcJobStore jobs) {
		this.jobs = jobs;
		this.db = jobs.databaseClient();
		this.tx = jobs.transactionalOperator();
	}

	// Definitions

	@Override
	public Mono<StoredSchedule> insert(NewSchedule schedule) {
		return this.jobs.onDriver(insertNow(schedule, null));
	}

	private Mono<StoredSchedule> insertNow(NewSchedule schedule, @Nullable String declaredHash) {
		Instant now = micros(schedule.createdAt());
		GenericExecuteSpec insert = this.db.sql("INSERT INTO schedules (id, owner, name, cron, timezone, "
				+ "fixed_rate_ms, template, overlap, enabled, jitter_ms, next_fire_at, nominal_fire_at, missed_count, "
				+ "skipped_count, declared_hash, version, created_at, updated_at) VALUES (:id, :owner, :name, :cron, "
				+ ":timezone, :fixedRate, :template, :overlap, :enabled, :jitter, :next, :nominal, 0, 0, :declaredHash, "
				+ "0, :createdAt, :updatedAt)")
			.bind("id", schedule.id())
			.bind("owner", schedule.owner())
			.bind("createdAt", timestamp(now))
			.bind("updatedAt", timestamp(now));
		insert = bindDefinition(insert, schedule.spec());
		insert = bindNext(insert, schedule.next());
		insert = bind(insert, "declaredHash", declaredHash, String.class);
		return insert.then()
			.then(findNow(schedule.owner(), schedule.id()))
			.onErrorResume(DataIntegrityViolationException.class,
					(ex) -> nameTaken(schedule.owner(), schedule.spec().name(), ex));
	}

	@Override
	public Mono<StoredSchedule> find(String owner, UUID scheduleId) {
		return this.jobs.onDriver(findNow(owner, scheduleId));
	}

	private Mono<StoredSchedule> findNow(String owner, UUID scheduleId) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE s.id = :id AND s.owner = :owner")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.map(this::mapSchedule)
			.one();
	}

	@Override
	public Mono<StoredSchedule> findByName(String owner, String name) {
		return this.jobs.onDriver(findByNameNow(owner, name));
	}

	private Mono<StoredSchedule> findByNameNow(String owner, String name) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE s.owner = :owner AND s.name = :name")
			.bind("owner", owner)
			.bind("name", name)
			.map(this::mapSchedule)
			.one();
	}

	@Override
	public Mono<SchedulePage> list(String owner, ScheduleQuery query) {
		String sql = "SELECT " + COLUMNS + FROM + " WHERE s.owner = :owner"
				+ ((query.cursor() != null) ? " AND s.id < :cursor" : "")
				// One more than asked tells whether there is a next page.
				+ " ORDER BY s.id DESC LIMIT " + (query.limit() + 1);
		GenericExecuteSpec spec = this.db.sql(sql).bind("owner", owner);
		if (query.cursor() != null) {
			spec = spec.bind("cursor", query.cursor());
		}
		return this.jobs.onDriver(spec.map(this::mapSchedule)
			.all()
			.map(StoredSchedule::schedule)
			.collectList()
			.map((schedules) -> page(schedules, query.limit(), Schedule::id, SchedulePage::new)));
	}

	@Override
	public Mono<StoredSchedule> replace(String owner, UUID scheduleId, long version, ScheduleSpec spec,
			@Nullable FireTime next, @Nullable String declaredHash, Instant now) {
		return this.jobs.onDriver(replaceNow(owner, scheduleId, version, spec, next, declaredHash, now));
	}

	private Mono<StoredSchedule> replaceNow(String owner, UUID scheduleId, long version, ScheduleSpec spec,
			@Nullable FireTime next, @Nullable String declaredHash, Instant now) {
		GenericExecuteSpec update = this.db.sql("UPDATE schedules SET name = :name, cron = :cron, "
				+ "timezone = :timezone, fixed_rate_ms = :fixedRate, template = :template, overlap = :overlap, "
				+ "enabled = :enabled, jitter_ms = :jitter, next_fire_at = :next, nominal_fire_at = :nominal, "
				+ ((declaredHash != null) ? "declared_hash = :declaredHash, " : "")
				+ "version = version + 1, updated_at = :now WHERE id = :id AND owner = :owner AND version = :version")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.bind("version", version)
			.bind("now", timestamp(micros(now)));
		update = bindDefinition(update, spec);
		update = bindNext(update, next);
		if (declaredHash != null) {
			update = update.bind("declaredHash", declaredHash);
		}
		return update.fetch()
			.rowsUpdated()
			.flatMap((count) -> (count == 0) ? Mono.<StoredSchedule>empty() : findNow(owner, scheduleId))
			.onErrorResume(DataIntegrityViolationException.class, (ex) -> nameTaken(owner, spec.name(), ex));
	}

	@Override
	public Mono<Boolean> delete(String owner, UUID scheduleId) {
		return this.jobs.onDriver(this.db.sql("DELETE FROM schedules WHERE id = :id AND owner = :owner")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0));
	}

	@Override
	public Mono<Upserted> upsertDeclared(NewSchedule schedule) {
		String hash = this.codec.fingerprint(schedule.spec());
		return this.jobs.onDriver(upsert(schedule, hash, UPSERT_ATTEMPTS));
	}

	private Mono<Upserted> upsert(NewSchedule schedule, String hash, int attemptsLeft) {
		String owner = schedule.owner();
		Mono<Upserted> again = Mono.defer(() -> (attemptsLeft > 1) ? upsert(schedule, hash, attemptsLeft - 1)
				: Mono.error(new IllegalStateException("schedule '" + schedule.spec().name() + "' of " + owner
						+ " keeps changing while it is upserted")));
		return findByNameNow(owner, schedule.spec().name()).map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((found) -> {
				if (found.isEmpty()) {
					// Another replica inserting it first makes this a name conflict: look again.
					return insertNow(schedule, hash).map((inserted) -> new Upserted(inserted, true))
						.onErrorResume(ScheduleNameConflictException.class, (ex) -> again);
				}
				StoredSchedule stored = found.get();
				if (hash.equals(stored.declaredHash())) {
					return Mono.just(new Upserted(stored, false));
				}
				return replaceNow(owner, stored.schedule().id(), stored.version(), schedule.spec(), schedule.next(),
						hash, schedule.createdAt())
					.map((replaced) -> new Upserted(replaced, true))
					.switchIfEmpty(again);
			});
	}

	// Firing

	@Override
	public Flux<DueSchedule> findDue(Instant now, int limit) {
		return this.jobs.onDriver(this.db
			.sql("SELECT id, cron, timezone, fixed_rate_ms, jitter_ms, next_fire_at, nominal_fire_at, version "
					+ "FROM schedules WHERE next_fire_at <= :now ORDER BY next_fire_at LIMIT " + limit)
			.bind("now", timestamp(now))
			.map((row) -> {
				Instant due = requiredInstant(row, "next_fire_at");
				Instant nominal = instant(row, "nominal_fire_at");
				Long jitter = row.get("jitter_ms", Long.class);
				return new DueSchedule(required(row, "id", UUID.class), trigger(row),
						(jitter != null) ? Duration.ofMillis(jitter) : null, due, (nominal != null) ? nominal : due,
						required(row, "version", Long.class));
			})
			.all());
	}

	@Override
	public Mono<FireResult> fire(DueSchedule due, @Nullable FireTime next, long missed, UUID jobId, Instant now,
			int maxQueuedJobs) {
		GenericExecuteSpec claim = this.db
			.sql("UPDATE schedules SET next_fire_at = :next, nominal_fire_at = :nominal, "
					+ "missed_count = missed_count + :missed WHERE id = :id AND next_fire_at = :due AND version = :version")
			.bind("missed", missed)
			.bind("id", due.id())
			.bind("due", timestamp(micros(due.due())))
			.bind("version", due.version());
		claim = bindNext(claim, next);
		Mono<FireResult> work = claim.fetch()
			.rowsUpdated()
			.flatMap((count) -> (count == 0) ? Mono.just(FireResult.of(FireResult.Outcome.NOT_CLAIMED))
					: readLocked(due.id()).flatMap((schedule) -> launch(schedule, jobId, now, maxQueuedJobs)));
		return this.jobs.onDriver(this.tx.transactional(work));
	}

	@Override
	public Mono<FireResult> fireNow(String owner, UUID scheduleId, UUID jobId, Instant now, int maxQueuedJobs) {
		// Locks the schedule's row for the transaction, as a claim would: fires are serialized.
		Mono<FireResult> work = this.db.sql("SELECT id FROM schedules WHERE id = :id AND owner = :owner FOR UPDATE")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.map((row) -> required(row, "id", UUID.class))
			.one()
			.flatMap((locked) -> readLocked(scheduleId))
			.flatMap((schedule) -> launch(schedule, jobId, now, maxQueuedJobs))
			.defaultIfEmpty(FireResult.of(FireResult.Outcome.NOT_FOUND));
		return this.jobs.onDriver(this.tx.transactional(work));
	}

	/** The schedule whose row this transaction locked, with the status of its last job. */
	private Mono<Schedule> readLocked(UUID scheduleId) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE s.id = :id")
			.bind("id", scheduleId)
			.map(this::mapSchedule)
			.one()
			.map(StoredSchedule::schedule);
	}

	/**
	 * The part of a fire after the claim: the overlap policy against the job launched last, the queue
	 * bound, then the job and the schedule's record of it.
	 */
	private Mono<FireResult> launch(Schedule schedule, UUID jobId, Instant now, int maxQueuedJobs) {
		UUID previous = schedule.lastJobId();
		JobStatus previousStatus = schedule.lastJobStatus();
		boolean going = previous != null && previousStatus != null && !previousStatus.isTerminal();
		UUID goingId = going ? previous : null;
		JobStatus goingStatus = going ? previousStatus : null;
		if (going && schedule.overlap() == OverlapPolicy.SKIP) {
			return addSkipped(schedule.id())
				.thenReturn(new FireResult(FireResult.Outcome.SKIPPED_OVERLAP, null, goingId, goingStatus, false));
		}
		return this.db.sql("SELECT COUNT(*) AS n FROM jobs WHERE status = 'QUEUED'")
			.map((row) -> required(row, "n", Long.class))
			.one()
			.flatMap((queued) -> {
				if (queued >= maxQueuedJobs) {
					return addSkipped(schedule.id()).thenReturn(
							new FireResult(FireResult.Outcome.SKIPPED_QUEUE_FULL, null, goingId, goingStatus, false));
				}
				Mono<Boolean> cancelPrevious = (going && schedule.overlap() == OverlapPolicy.CANCEL_PREVIOUS)
						? this.db.sql("UPDATE jobs SET cancel_requested = TRUE WHERE id = :id "
								+ "AND status IN ('QUEUED', 'RUNNING')")
							.bind("id", previous)
							.fetch()
							.rowsUpdated()
							.map((count) -> count > 0)
						: Mono.just(false);
				return cancelPrevious.flatMap((cancelled) -> this.jobs
					.insertInTransaction(new NewJob(jobId, schedule.owner(), jobSpec(schedule), null, schedule.id(), now))
					.flatMap((job) -> this.db
						.sql("UPDATE schedules SET last_job_id = :job, last_fired_at = :now WHERE id = :id")
						.bind("job", job.id())
						.bind("now", timestamp(job.createdAt()))
						.bind("id", schedule.id())
						.then()
						.thenReturn(new FireResult(FireResult.Outcome.LAUNCHED, job, goingId, goingStatus, cancelled))));
			});
	}

	private Mono<Void> addSkipped(UUID scheduleId) {
		return this.db.sql("UPDATE schedules SET skipped_count = skipped_count + 1 WHERE id = :id")
			.bind("id", scheduleId)
			.then();
	}

	/** The job a schedule submits: its template, named after the schedule unless the template has a name. */
	private static JobSpec jobSpec(Schedule schedule) {
		JobSpec template = schedule.template();
		return (template.name() != null) ? template : template.withName(schedule.name());
	}

	private Mono<StoredSchedule> nameTaken(String owner, String name, DataIntegrityViolationException ex) {
		// The only unique key besides the id (a fresh UUID) is the name per owner.
		return findByNameNow(owner, name).switchIfEmpty(Mono.error(ex))
			.flatMap((existing) -> Mono.error(new ScheduleNameConflictException(name, existing.schedule().id())));
	}

	// Binding and mapping

	private GenericExecuteSpec bindDefinition(GenericExecuteSpec spec, ScheduleSpec definition) {
		String cron = null;
		String timezone = null;
		Long fixedRate = null;
		if (definition.trigger() instanceof ScheduleTrigger.Cron trigger) {
			cron = trigger.expression();
			timezone = trigger.zone().getId();
		}
		else if (definition.trigger() instanceof ScheduleTrigger.FixedRate trigger) {
			fixedRate = trigger.period().toMillis();
		}
		Duration jitter = definition.jitter();
		GenericExecuteSpec bound = spec.bind("name", definition.name())
			.bind("template", this.codec.writeTemplate(definition.template()))
			.bind("overlap", definition.overlap().name())
			.bind("enabled", definition.enabled());
		bound = bind(bound, "cron", cron, String.class);
		bound = bind(bound, "timezone", timezone, String.class);
		bound = bind(bound, "fixedRate", fixedRate, Long.class);
		return bind(bound, "jitter", (jitter != null) ? jitter.toMillis() : null, Long.class);
	}

	private static GenericExecuteSpec bindNext(GenericExecuteSpec spec, @Nullable FireTime next) {
		GenericExecuteSpec bound = bind(spec, "next", (next != null) ? timestamp(micros(next.at())) : null,
				OffsetDateTime.class);
		return bind(bound, "nominal", (next != null) ? timestamp(micros(next.nominal())) : null,
				OffsetDateTime.class);
	}

	private StoredSchedule mapSchedule(Readable row) {
		Long jitter = row.get("jitter_ms", Long.class);
		String lastJobStatus = row.get("last_job_status", String.class);
		String declaredHash = row.get("declared_hash", String.class);
		Schedule schedule = new Schedule(required(row, "id", UUID.class), required(row, "owner", String.class),
				required(row, "name", String.class), trigger(row),
				this.codec.readTemplate(required(row, "template", String.class)),
				OverlapPolicy.valueOf(required(row, "overlap", String.class)), required(row, "enabled", Boolean.class),
				(jitter != null) ? Duration.ofMillis(jitter) : null, instant(row, "next_fire_at"),
				instant(row, "last_fired_at"), row.get("last_job_id", UUID.class),
				(lastJobStatus != null) ? JobStatus.valueOf(lastJobStatus) : null,
				required(row, "missed_count", Long.class), required(row, "skipped_count", Long.class),
				declaredHash != null, requiredInstant(row, "created_at"), requiredInstant(row, "updated_at"));
		return new StoredSchedule(schedule, required(row, "version", Long.class), instant(row, "nominal_fire_at"),
				declaredHash);
	}

	private static ScheduleTrigger trigger(Readable row) {
		String cron = row.get("cron", String.class);
		if (cron != null) {
			String timezone = row.get("timezone", String.class);
			return ScheduleTrigger.cron(cron, (timezone != null) ? ZoneId.of(timezone) : ScheduleTrigger.DEFAULT_ZONE);
		}
		return ScheduleTrigger.fixedRate(Duration.ofMillis(required(row, "fixed_rate_ms", Long.class)));
	}
}
