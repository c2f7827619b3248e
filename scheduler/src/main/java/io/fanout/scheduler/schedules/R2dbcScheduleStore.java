package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.UUID;

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

import io.fanout.scheduler.r2dbc.Database;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.r2dbc.Sql.bind;
import static io.fanout.scheduler.r2dbc.Sql.instant;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.page;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.requiredInstant;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * The {@link ScheduleStore} on R2DBC, for H2 and PostgreSQL alike.
 * <p>
 * The claim is {@code UPDATE schedules SET next_fire_at = :next … WHERE id = :id AND next_fire_at =
 * :due AND version = :version}: on PostgreSQL a second claimer waits for the first one's row lock,
 * then finds the row changed and updates nothing; on H2 the same.
 */
public final class R2dbcScheduleStore implements ScheduleStore {

	private static final String COLUMNS = "s.id, s.owner, s.name, s.cron, s.timezone, s.fixed_rate_ms, s.template, "
			+ "s.overlap, s.enabled, s.jitter_ms, s.next_fire_at, s.nominal_fire_at, s.last_fired_at, s.last_job_id, "
			+ "s.missed_count, s.skipped_count, s.declared_hash, s.version, s.created_at, s.updated_at";

	private static final String FROM = " FROM schedules s";

	/** Attempts of an upsert that loses races with other replicas before it gives up. */
	private static final int UPSERT_ATTEMPTS = 5;

	private final Database database;

	private final DatabaseClient db;

	private final ScheduleCodec codec = new ScheduleCodec();

	public R2dbcScheduleStore(Database database) {
		this.database = database;
		this.db = database.client();
	}

	// Definitions

	@Override
	public Mono<StoredSchedule> insert(NewSchedule schedule) {
		return this.database.run(insertNow(schedule, null));
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
		return this.database.run(findNow(owner, scheduleId));
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
		return this.database.run(findByNameNow(owner, name));
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
		return this.database.run(spec.map(this::mapSchedule)
			.all()
			.map(StoredSchedule::schedule)
			.collectList()
			.map((schedules) -> page(schedules, query.limit(), Schedule::id, SchedulePage::new)));
	}

	@Override
	public Mono<StoredSchedule> replace(String owner, UUID scheduleId, long version, ScheduleSpec spec,
			@Nullable FireTime next, @Nullable String declaredHash, Instant now) {
		return this.database.run(replaceNow(owner, scheduleId, version, spec, next, declaredHash, now));
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
	public Mono<Long> count(String owner) {
		return this.database.run(this.db.sql("SELECT COUNT(*) AS n FROM schedules WHERE owner = :owner")
			.bind("owner", owner)
			.map((row) -> required(row, "n", Number.class).longValue())
			.one());
	}

	@Override
	public Mono<Boolean> delete(String owner, UUID scheduleId) {
		return this.database.run(this.db.sql("DELETE FROM schedules WHERE id = :id AND owner = :owner")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0));
	}

	@Override
	public Mono<Upserted> upsertDeclared(NewSchedule schedule) {
		String hash = this.codec.fingerprint(schedule.spec());
		return this.database.run(upsert(schedule, hash, UPSERT_ATTEMPTS));
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
		return this.database.run(this.db
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
	public Mono<StoredSchedule> claimFire(DueSchedule due, @Nullable FireTime next, long missed) {
		GenericExecuteSpec claim = this.db
			.sql("UPDATE schedules SET next_fire_at = :next, nominal_fire_at = :nominal, "
					+ "missed_count = missed_count + :missed WHERE id = :id AND next_fire_at = :due AND version = :version")
			.bind("missed", missed)
			.bind("id", due.id())
			.bind("due", timestamp(micros(due.due())))
			.bind("version", due.version());
		claim = bindNext(claim, next);
		return this.database.run(claim.fetch()
			.rowsUpdated()
			.flatMap((count) -> (count == 0) ? Mono.empty() : read(due.id())));
	}

	@Override
	public Mono<StoredSchedule> lock(String owner, UUID scheduleId) {
		return this.database.run(this.db.sql("SELECT id FROM schedules WHERE id = :id AND owner = :owner FOR UPDATE")
			.bind("id", scheduleId)
			.bind("owner", owner)
			.map((row) -> required(row, "id", UUID.class))
			.one()
			.flatMap(this::read));
	}

	private Mono<StoredSchedule> read(UUID scheduleId) {
		return this.db.sql("SELECT " + COLUMNS + FROM + " WHERE s.id = :id")
			.bind("id", scheduleId)
			.map(this::mapSchedule)
			.one();
	}

	@Override
	public Mono<Void> addSkipped(UUID scheduleId) {
		return this.database.run(this.db.sql("UPDATE schedules SET skipped_count = skipped_count + 1 WHERE id = :id")
			.bind("id", scheduleId)
			.then());
	}

	@Override
	public Mono<Void> recordLaunch(UUID scheduleId, UUID jobId, Instant launchedAt) {
		return this.database.run(this.db
			.sql("UPDATE schedules SET last_job_id = :job, last_fired_at = :at WHERE id = :id")
			.bind("job", jobId)
			.bind("at", timestamp(micros(launchedAt)))
			.bind("id", scheduleId)
			.then());
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
		String declaredHash = row.get("declared_hash", String.class);
		Schedule schedule = new Schedule(required(row, "id", UUID.class), required(row, "owner", String.class),
				required(row, "name", String.class), trigger(row),
				this.codec.readTemplate(required(row, "template", String.class)),
				OverlapPolicy.valueOf(required(row, "overlap", String.class)), required(row, "enabled", Boolean.class),
				(jitter != null) ? Duration.ofMillis(jitter) : null, instant(row, "next_fire_at"),
				instant(row, "last_fired_at"), row.get("last_job_id", UUID.class), null,
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
