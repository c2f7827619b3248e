package io.fanout.scheduler.store;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobProgress;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
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
 * The {@link JobStore} on R2DBC's {@link DatabaseClient}, for H2 and PostgreSQL alike: only the claim
 * query differs ({@link Dialect}).
 * <p>
 * r2dbc-h2 runs the embedded database in the calling thread, file I/O and lock waits included, so on
 * H2 every call is moved to a small pool of threads of its own and its signals back to Reactor's
 * parallel threads; event loops never run H2. That pool never interrupts its threads on
 * cancellation, which would close H2's file channels. PostgreSQL's driver is non-blocking and runs
 * where it is called.
 */
public final class R2dbcJobStore implements JobStore, AutoCloseable {

	private static final String JOB_COLUMNS = "id, owner, name, labels, priority, status, attempt, lease_owner, "
			+ "lease_expires_at, cancel_requested, created_at, started_at, finished_at, deadline_ms, total, "
			+ "succeeded, http_error, timed_out, connection_error, circuit_open, rejected, blocked, body_too_large, "
			+ "cancelled, idempotency_key, schedule_id, error_kind, error_message";

	private static final String RESULT_COLUMNS = "job_id, idx, method, url, outcome, http_status, attempts, "
			+ "started_at, duration_us, body, body_size, extracted, error_kind, error_message";

	private static final String COUNT_COLUMNS = "total, succeeded, http_error, timed_out, connection_error, "
			+ "circuit_open, rejected, blocked, body_too_large, cancelled";

	/** A job's spec, of job_specs aliased {@code s}: compressed JSON, or text in rows older than V3. */
	private static final String SPEC_COLUMNS = "s.spec, s.spec_gzip";

	private static final String FINISHED = "('COMPLETED', 'FAILED', 'CANCELLED')";

	/** The condition of every write on behalf of a running job. */
	private static final String FENCE = "id = :id AND lease_owner = :node AND attempt = :attempt AND status = 'RUNNING'";

	/** Rows per multi-row INSERT: well below PostgreSQL's 65,535 bind parameters. */
	private static final int INSERT_CHUNK = 200;

	/** Columns of job_results that an insert sets: job_id once per statement, then 14 per row. */
	private static final int RESULT_INSERT_COLUMNS = 15;

	private static final String FULL_CHUNK_INSERT = buildInsertResultsSql(INSERT_CHUNK);

	private final DatabaseClient db;

	private final TransactionalOperator tx;

	private final Dialect dialect;

	private final SpecCodec codec = new SpecCodec();

	private final @Nullable ExecutorService driverThreads;

	private final @Nullable Scheduler driverScheduler;

	/** A store on this connection factory, with its own client and transaction manager. */
	public R2dbcJobStore(ConnectionFactory connectionFactory) {
		this(DatabaseClient.create(connectionFactory), connectionFactory);
	}

	/** A store using this client, which must be bound to {@code connectionFactory}. */
	public R2dbcJobStore(DatabaseClient db, ConnectionFactory connectionFactory) {
		this.db = db;
		this.tx = TransactionalOperator.create(new R2dbcTransactionManager(connectionFactory));
		this.dialect = Dialect.of(connectionFactory);
		if (this.dialect.runsInCallingThread()) {
			this.driverThreads = driverThreads();
			// Not a Reactor scheduler: those interrupt a cancelled task's thread, and an interrupt in the
			// middle of H2's file I/O closes the database.
			this.driverScheduler = Schedulers.fromExecutor(this.driverThreads, true);
		}
		else {
			this.driverThreads = null;
			this.driverScheduler = null;
		}
	}

	/** The database this store talks to. */
	public Dialect dialect() {
		return this.dialect;
	}

	/** The client of this store's database, for the schedule store's statements. */
	DatabaseClient databaseClient() {
		return this.db;
	}

	/** Transactions on this store's database. */
	TransactionalOperator transactionalOperator() {
		return this.tx;
	}

	@Override
	public void close() {
		if (this.driverThreads != null) {
			this.driverThreads.shutdown();
		}
	}

	// Submission and queries

	@Override
	public Mono<Job> insert(NewJob job) {
		Mono<Job> insertOrFind = this.tx.transactional(insertInTransaction(job)).onErrorResume(
				DataIntegrityViolationException.class,
				// Another submission with the same key won the race: behave as if it had come first.
				(ex) -> (job.idempotencyKey() != null) ? findIdempotentNow(job.owner(), job.idempotencyKey(),
						this.codec.fingerprint(job.spec(), job.scheduleId())).switchIfEmpty(Mono.error(ex))
						: Mono.error(ex));
		return onDriver(insertOrFind);
	}

	/**
	 * The statements that insert a queued job, to run in a transaction of the caller's, on the
	 * caller's thread: a schedule inserts its job in the transaction that claims its fire.
	 */
	Mono<Job> insertInTransaction(NewJob job) {
		JobSpec spec = job.spec();
		Instant createdAt = micros(job.createdAt());
		String hash = this.codec.fingerprint(spec, job.scheduleId());
		Duration deadline = spec.deadline();
		GenericExecuteSpec insertJob = this.db.sql("INSERT INTO jobs (id, owner, name, labels, priority, status, "
				+ "attempt, cancel_requested, created_at, deadline_ms, fail_fast, total, succeeded, http_error, "
				+ "timed_out, connection_error, circuit_open, rejected, blocked, body_too_large, cancelled, "
				+ "idempotency_key, spec_hash, schedule_id) VALUES (:id, :owner, :name, :labels, :priority, 'QUEUED', "
				+ "0, FALSE, :createdAt, :deadlineMs, :failFast, :total, 0, 0, 0, 0, 0, 0, 0, 0, 0, :key, :hash, "
				+ ":scheduleId)")
			.bind("id", job.id())
			.bind("owner", job.owner())
			.bind("labels", this.codec.writeLabels(spec.labels()))
			.bind("priority", spec.priority())
			.bind("createdAt", timestamp(createdAt))
			.bind("failFast", spec.policy().failFast())
			.bind("total", spec.requests().size())
			.bind("hash", hash);
		insertJob = bind(insertJob, "name", spec.name(), String.class);
		insertJob = bind(insertJob, "deadlineMs", (deadline != null) ? deadline.toMillis() : null, Long.class);
		insertJob = bind(insertJob, "key", job.idempotencyKey(), String.class);
		insertJob = bind(insertJob, "scheduleId", job.scheduleId(), UUID.class);
		Mono<Void> work = insertJob.then()
			.then(this.db.sql("INSERT INTO job_specs (job_id, spec_gzip) VALUES (:id, :spec)")
				.bind("id", job.id())
				.bind("spec", this.codec.writeSpec(spec))
				.then())
			.then(Flux.fromIterable(spec.labels().entrySet())
				.concatMap((label) -> this.db
					.sql("INSERT INTO job_labels (job_id, label_key, label_value) VALUES (:id, :key, :value)")
					.bind("id", job.id())
					.bind("key", label.getKey())
					.bind("value", label.getValue())
					.then())
				.then());
		Job inserted = new Job(job.id(), job.owner(), spec.name(), spec.labels(), spec.priority(), JobStatus.QUEUED,
				JobProgress.none(spec.requests().size()), 0, false, createdAt, null, null, deadline, null,
				job.idempotencyKey(), job.scheduleId(), null, null);
		return work.thenReturn(inserted);
	}

	@Override
	public Mono<Job> findIdempotent(String owner, String idempotencyKey, JobSpec spec, @Nullable UUID scheduleId) {
		return onDriver(findIdempotentNow(owner, idempotencyKey, this.codec.fingerprint(spec, scheduleId)));
	}

	private Mono<Job> findIdempotentNow(String owner, String idempotencyKey, String hash) {
		return this.db
			.sql("SELECT " + JOB_COLUMNS + ", spec_hash FROM jobs WHERE owner = :owner AND idempotency_key = :key")
			.bind("owner", owner)
			.bind("key", idempotencyKey)
			.map((row) -> Map.entry(mapJob(row), required(row, "spec_hash", String.class)))
			.one()
			.flatMap((found) -> found.getValue().equals(hash) ? Mono.just(found.getKey())
					: Mono.error(new IdempotencyConflictException(found.getKey().id(), idempotencyKey)));
	}

	@Override
	public Mono<Long> countQueued() {
		return onDriver(this.db.sql("SELECT COUNT(*) AS n FROM jobs WHERE status = 'QUEUED'")
			.map((row) -> required(row, "n", Long.class))
			.one());
	}

	@Override
	public Mono<Job> find(String owner, UUID jobId) {
		return onDriver(this.db.sql("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id AND owner = :owner")
			.bind("id", jobId)
			.bind("owner", owner)
			.map(this::mapJob)
			.one());
	}

	@Override
	public Mono<JobSpec> findSpec(String owner, UUID jobId) {
		return onDriver(this.db
			.sql("SELECT j.name, j.labels, j.priority, " + SPEC_COLUMNS + " FROM jobs j JOIN job_specs s ON s.job_id = j.id "
					+ "WHERE j.id = :id AND j.owner = :owner")
			.bind("id", jobId)
			.bind("owner", owner)
			.map(this::mapSpec)
			.one());
	}

	@Override
	public Mono<JobPage> list(String owner, JobQuery query) {
		StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM jobs j WHERE j.owner = :owner");
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("owner", owner);
		if (!query.statuses().isEmpty()) {
			sql.append(" AND j.status IN (:statuses)");
			params.put("statuses", query.statuses().stream().map(Enum::name).toList());
		}
		if (query.scheduleId() != null) {
			sql.append(" AND j.schedule_id = :scheduleId");
			params.put("scheduleId", query.scheduleId());
		}
		if (query.cursor() != null) {
			sql.append(" AND j.id < :cursor");
			params.put("cursor", query.cursor());
		}
		int i = 0;
		for (Map.Entry<String, String> label : query.labels().entrySet()) {
			sql.append(" AND EXISTS (SELECT 1 FROM job_labels l WHERE l.job_id = j.id AND l.label_key = :lk")
				.append(i)
				.append(" AND l.label_value = :lv")
				.append(i)
				.append(")");
			params.put("lk" + i, label.getKey());
			params.put("lv" + i, label.getValue());
			i++;
		}
		// One more than asked tells whether there is a next page.
		sql.append(" ORDER BY j.id DESC LIMIT ").append(query.limit() + 1);
		GenericExecuteSpec spec = this.db.sql(sql.toString());
		for (Map.Entry<String, Object> param : params.entrySet()) {
			spec = spec.bind(param.getKey(), param.getValue());
		}
		return onDriver(spec.map(this::mapJob)
			.all()
			.collectList()
			.map((jobs) -> page(jobs, query.limit(), Job::id, JobPage::new)));
	}

	@Override
	public Mono<ResultPage> results(UUID jobId, ResultQuery query) {
		StringBuilder sql = new StringBuilder("SELECT " + RESULT_COLUMNS + " FROM job_results WHERE job_id = :id");
		if (query.cursor() != null) {
			sql.append(" AND idx > :cursor");
		}
		if (!query.outcomes().isEmpty()) {
			sql.append(" AND outcome IN (:outcomes)");
		}
		sql.append(" ORDER BY idx LIMIT ").append(query.limit() + 1);
		GenericExecuteSpec spec = this.db.sql(sql.toString()).bind("id", jobId);
		if (query.cursor() != null) {
			spec = spec.bind("cursor", query.cursor());
		}
		if (!query.outcomes().isEmpty()) {
			spec = spec.bind("outcomes", query.outcomes().stream().map(Enum::name).toList());
		}
		return onDriver(spec.map(this::mapResult)
			.all()
			.collectList()
			.map((results) -> page(results, query.limit(), JobResult::index, ResultPage::new)));
	}

	@Override
	public Flux<JobResult> resultsInStoredOrder(UUID jobId, int fromSeq, int limit) {
		return onDriver(this.db
			.sql("SELECT " + RESULT_COLUMNS + " FROM job_results WHERE job_id = :id AND seq >= :from "
					+ "ORDER BY seq LIMIT " + limit)
			.bind("id", jobId)
			.bind("from", fromSeq)
			.map(this::mapResult)
			.all());
	}

	@Override
	public Mono<Boolean> requestCancel(String owner, UUID jobId) {
		return onDriver(this.db
			.sql("UPDATE jobs SET cancel_requested = TRUE WHERE id = :id AND owner = :owner "
					+ "AND status IN ('QUEUED', 'RUNNING')")
			.bind("id", jobId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0));
	}

	@Override
	public Mono<Boolean> cancelQueued(UUID jobId, Instant now) {
		JobStatus.QUEUED.checkTransition(jobId, JobStatus.CANCELLED);
		Instant at = micros(now);
		// The UPDATE takes the row lock first: a worker cannot claim the job while this runs.
		Mono<Boolean> work = this.db
			.sql("UPDATE jobs SET status = 'CANCELLED', finished_at = :now WHERE id = :id AND status = 'QUEUED'")
			.bind("id", jobId)
			.bind("now", timestamp(at))
			.fetch()
			.rowsUpdated()
			.flatMap((count) -> {
				if (count == 0) {
					return Mono.just(false);
				}
				return Mono
					.zip(counts(jobId), this.db.sql("SELECT " + SPEC_COLUMNS + " FROM job_specs s WHERE s.job_id = :id")
						.bind("id", jobId)
						.map((row) -> readSpec(row, null, Map.of(), 0).requests())
						.one())
					.flatMap((tuple) -> markUnresulted(jobId, tuple.getT2(), tuple.getT1().written(), at,
							"job cancelled before it started"))
					.flatMap((marked) -> this.db.sql("UPDATE jobs SET cancelled = cancelled + :n WHERE id = :id")
						.bind("n", marked)
						.bind("id", jobId)
						.then())
					.thenReturn(true);
			});
		return onDriver(this.tx.transactional(work));
	}

	@Override
	public Mono<Boolean> deleteFinished(String owner, UUID jobId) {
		// Results, spec and labels go with the job (ON DELETE CASCADE).
		return onDriver(this.db
			.sql("DELETE FROM jobs WHERE id = :id AND owner = :owner AND status IN " + FINISHED)
			.bind("id", jobId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0));
	}

	// The queue

	@Override
	public Mono<Integer> requeueExpired(Instant now) {
		JobStatus.RUNNING.checkTransition(null, JobStatus.QUEUED);
		return onDriver(this.db
			.sql("UPDATE jobs SET status = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL "
					+ "WHERE status = 'RUNNING' AND lease_expires_at < :now")
			.bind("now", timestamp(now))
			.fetch()
			.rowsUpdated()
			.map(Long::intValue));
	}

	@Override
	public Flux<ClaimedJob> claim(String node, int max, Instant now, Instant leaseUntil) {
		JobStatus.QUEUED.checkTransition(null, JobStatus.RUNNING);
		if (max < 1) {
			return Flux.empty();
		}
		Flux<UUID> claimed = switch (this.dialect) {
			case POSTGRESQL -> claimSkippingLocked(node, max, now, leaseUntil);
			case H2 -> claimConditionally(node, max, now, leaseUntil);
		};
		Flux<ClaimedJob> jobs = claimed.collectList().flatMapMany((ids) -> ids.isEmpty() ? Flux.empty()
				: this.db
					.sql("SELECT " + JOB_COLUMNS + ", " + SPEC_COLUMNS + " FROM jobs j "
							+ "JOIN job_specs s ON s.job_id = j.id "
							+ "WHERE j.id IN (:ids) AND j.lease_owner = :node AND j.status = 'RUNNING' ORDER BY j.id")
					.bind("ids", ids)
					.bind("node", node)
					.map((row) -> {
						Job job = mapJob(row);
						JobSpec spec = readSpec(row, job.name(), job.labels(), job.priority());
						return new ClaimedJob(job, spec, new Fence(job.id(), node, job.attempt()));
					})
					.all());
		return onDriver(jobs);
	}

	/**
	 * PostgreSQL: one statement, so one short transaction. Rows locked by a concurrent claimer are
	 * skipped rather than waited for; no lock outlives the statement.
	 */
	private Flux<UUID> claimSkippingLocked(String node, int max, Instant now, Instant leaseUntil) {
		return this.db
			.sql("UPDATE jobs SET status = 'RUNNING', attempt = attempt + 1, lease_owner = :node, "
					+ "lease_expires_at = :until, started_at = COALESCE(started_at, :now) "
					+ "WHERE id IN (SELECT id FROM jobs WHERE status = 'QUEUED' "
					+ "ORDER BY priority DESC, id LIMIT " + max + " FOR UPDATE SKIP LOCKED) RETURNING id")
			.bind("node", node)
			.bind("until", timestamp(micros(leaseUntil)))
			.bind("now", timestamp(micros(now)))
			.map((row) -> required(row, "id", UUID.class))
			.all();
	}

	/**
	 * H2: pick candidates, then take each with an UPDATE that only succeeds while it is still queued,
	 * so that of two claimers of one job exactly one wins.
	 */
	private Flux<UUID> claimConditionally(String node, int max, Instant now, Instant leaseUntil) {
		return this.db
			.sql("SELECT id FROM jobs WHERE status = 'QUEUED' ORDER BY priority DESC, id LIMIT " + max)
			.map((row) -> required(row, "id", UUID.class))
			.all()
			.collectList()
			.flatMapMany(Flux::fromIterable)
			.concatMap((id) -> this.db
				.sql("UPDATE jobs SET status = 'RUNNING', attempt = attempt + 1, lease_owner = :node, "
						+ "lease_expires_at = :until, started_at = COALESCE(started_at, :now) "
						+ "WHERE id = :id AND status = 'QUEUED'")
				.bind("node", node)
				.bind("until", timestamp(micros(leaseUntil)))
				.bind("now", timestamp(micros(now)))
				.bind("id", id)
				.fetch()
				.rowsUpdated()
				.filter((count) -> count == 1)
				.map((count) -> id));
	}

	@Override
	public Mono<Boolean> renew(Fence fence, Instant leaseUntil) {
		return onDriver(fenced(this.db.sql("UPDATE jobs SET lease_expires_at = :until WHERE " + FENCE)
			.bind("until", timestamp(micros(leaseUntil))), fence)
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	@Override
	public Flux<UUID> findCancelRequested(String node) {
		return onDriver(this.db
			.sql("SELECT id FROM jobs WHERE status = 'RUNNING' AND lease_owner = :node AND cancel_requested = TRUE")
			.bind("node", node)
			.map((row) -> required(row, "id", UUID.class))
			.all());
	}

	@Override
	public Mono<BitSet> resultedIndexes(UUID jobId) {
		return onDriver(resultedIndexesNow(jobId));
	}

	private Mono<BitSet> resultedIndexesNow(UUID jobId) {
		return this.db.sql("SELECT idx FROM job_results WHERE job_id = :id")
			.bind("id", jobId)
			.map((row) -> required(row, "idx", Integer.class))
			.all()
			.collect(BitSet::new, BitSet::set);
	}

	@Override
	public Mono<Void> appendResults(Fence fence, List<JobResult> results) {
		if (results.isEmpty()) {
			return Mono.empty();
		}
		UUID jobId = fence.jobId();
		List<Integer> indexes = results.stream().map(JobResult::index).distinct().toList();
		IntSummaryStatistics range = indexes.stream().mapToInt(Integer::intValue).summaryStatistics();
		// The range lets both databases walk the primary key (job_id, idx) between the batch's lowest
		// and highest index instead of every result of the job: results complete roughly in index
		// order, so that range is short, and the check stays cheap however large the job grows.
		Mono<Void> work = lockFenced(fence).flatMap((counts) -> this.db
			.sql("SELECT idx FROM job_results WHERE job_id = :id AND idx BETWEEN :low AND :high AND idx IN (:indexes)")
			.bind("id", jobId)
			.bind("low", range.getMin())
			.bind("high", range.getMax())
			.bind("indexes", indexes)
			.map((row) -> required(row, "idx", Integer.class))
			.all()
			.collect(HashSet<Integer>::new, Set::add)
			.flatMap((stored) -> {
				List<JobResult> fresh = new ArrayList<>(results.size());
				for (JobResult result : results) {
					// A result is written once: already stored, or twice in this batch, it is skipped.
					if (stored.add(result.index())) {
						fresh.add(result);
					}
				}
				if (fresh.isEmpty()) {
					return Mono.empty();
				}
				return insertResults(jobId, fresh, counts.written()).then(addCounts(jobId, fresh));
			}));
		return onDriver(this.tx.transactional(work));
	}

	@Override
	public Mono<Void> finish(Fence fence, JobStatus to, @Nullable JobError error, List<FetchRequest> requests,
			Instant now, String why) {
		JobStatus.RUNNING.checkTransition(fence.jobId(), to);
		if (!to.isTerminal()) {
			throw new IllegalArgumentException("finish needs a terminal status, not " + to);
		}
		Instant at = micros(now);
		UUID jobId = fence.jobId();
		Mono<Void> work = lockFenced(fence)
			.flatMap((counts) -> markUnresulted(jobId, requests, counts.written(), at, why))
			.flatMap((marked) -> {
				GenericExecuteSpec update = this.db
					.sql("UPDATE jobs SET status = :status, finished_at = :now, lease_expires_at = NULL, "
							+ "cancelled = cancelled + :marked, error_kind = :errorKind, error_message = :errorMessage "
							+ "WHERE id = :id")
					.bind("status", to.name())
					.bind("now", timestamp(at))
					.bind("marked", marked)
					.bind("id", jobId);
				update = bind(update, "errorKind", (error != null) ? error.kind().name() : null, String.class);
				update = bind(update, "errorMessage", (error != null) ? error.message() : null, String.class);
				return update.then();
			});
		return onDriver(this.tx.transactional(work));
	}

	@Override
	public Mono<Boolean> release(Fence fence) {
		JobStatus.RUNNING.checkTransition(fence.jobId(), JobStatus.QUEUED);
		return onDriver(fenced(this.db.sql(
				"UPDATE jobs SET status = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL WHERE " + FENCE),
				fence)
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	@Override
	public Mono<Integer> purgeFinishedBefore(Instant cutoff, int batchSize) {
		Mono<Integer> work = this.db
			.sql("SELECT id FROM jobs WHERE status IN " + FINISHED + " AND finished_at < :cutoff LIMIT " + batchSize)
			.bind("cutoff", timestamp(cutoff))
			.map((row) -> required(row, "id", UUID.class))
			.all()
			.collectList()
			.flatMap((ids) -> ids.isEmpty() ? Mono.just(0)
					: this.db.sql("DELETE FROM jobs WHERE id IN (:ids) AND status IN " + FINISHED)
						.bind("ids", ids)
						.fetch()
						.rowsUpdated()
						.map(Long::intValue));
		return onDriver(work);
	}

	// Shared steps of the transactions above

	private static GenericExecuteSpec fenced(GenericExecuteSpec spec, Fence fence) {
		return spec.bind("id", fence.jobId()).bind("node", fence.node()).bind("attempt", fence.attempt());
	}

	/**
	 * Locks the job's row if the fence holds, else fails with {@link LeaseLostException}. Held to the
	 * end of the transaction, the lock serializes every result write of the job and keeps a requeue
	 * of the job waiting until the write committed.
	 */
	private Mono<Counts> lockFenced(Fence fence) {
		return fenced(this.db.sql("SELECT " + COUNT_COLUMNS + " FROM jobs WHERE " + FENCE + " FOR UPDATE"), fence)
			.map(R2dbcJobStore::mapCounts)
			.one()
			.switchIfEmpty(Mono.error(() -> new LeaseLostException(fence)));
	}

	private Mono<Counts> counts(UUID jobId) {
		return this.db.sql("SELECT " + COUNT_COLUMNS + " FROM jobs WHERE id = :id")
			.bind("id", jobId)
			.map(R2dbcJobStore::mapCounts)
			.one();
	}

	/** Writes a CANCELLED result for every request without one. @return how many were written */
	private Mono<Integer> markUnresulted(UUID jobId, List<FetchRequest> requests, int written, Instant at,
			String why) {
		if (written >= requests.size()) {
			return Mono.just(0);
		}
		return resultedIndexesNow(jobId).flatMap((stored) -> {
			List<JobResult> cancelled = new ArrayList<>(requests.size() - stored.cardinality());
			FetchError error = new FetchError(ErrorKind.CANCELLED, why);
			for (int i = stored.nextClearBit(0); i < requests.size(); i = stored.nextClearBit(i + 1)) {
				FetchRequest request = requests.get(i);
				cancelled.add(new JobResult(jobId, i, request.method(), request.url(), OutcomeKind.CANCELLED, null, 0,
						at, Duration.ZERO, null, 0, Map.of(), error));
			}
			return insertResults(jobId, cancelled, written).thenReturn(cancelled.size());
		});
	}

	/** Inserts results numbered from {@code firstSeq}, in multi-row statements. */
	private Mono<Void> insertResults(UUID jobId, List<JobResult> results, int firstSeq) {
		List<List<JobResult>> chunks = new ArrayList<>();
		for (int from = 0; from < results.size(); from += INSERT_CHUNK) {
			chunks.add(results.subList(from, Math.min(results.size(), from + INSERT_CHUNK)));
		}
		AtomicInteger seq = new AtomicInteger(firstSeq);
		return Flux.fromIterable(chunks)
			.concatMap((chunk) -> this.db.inConnection((connection) -> {
				Statement insert = connection.createStatement(insertResultsSql(chunk.size()));
				bindResults(insert, jobId, chunk, seq);
				return Flux.from(insert.execute()).concatMap(Result::getRowsUpdated).then();
			}))
			.then();
	}

	/**
	 * A multi-row INSERT with positional markers ({@code $1} is the job, shared by every row). Both
	 * drivers take {@code $n}; binding by position spares parsing named parameters out of a statement
	 * of thousands of them, which cost more than H2's insert itself.
	 */
	private static String insertResultsSql(int rows) {
		return (rows == INSERT_CHUNK) ? FULL_CHUNK_INSERT : buildInsertResultsSql(rows);
	}

	private static String buildInsertResultsSql(int rows) {
		StringBuilder sql = new StringBuilder("INSERT INTO job_results (job_id, idx, seq, method, url, outcome, "
				+ "http_status, attempts, started_at, duration_us, body, body_size, extracted, error_kind, "
				+ "error_message) VALUES ");
		int marker = 2;
		for (int row = 0; row < rows; row++) {
			sql.append((row > 0) ? ", ($1" : "($1");
			for (int column = 1; column < RESULT_INSERT_COLUMNS; column++) {
				sql.append(", $").append(marker++);
			}
			sql.append(')');
		}
		return sql.toString();
	}

	private void bindResults(Statement insert, UUID jobId, List<JobResult> chunk, AtomicInteger seq) {
		insert.bind(0, jobId);
		int index = 1;
		for (JobResult result : chunk) {
			FetchError error = result.error();
			insert.bind(index++, result.index());
			insert.bind(index++, seq.getAndIncrement());
			insert.bind(index++, result.method());
			insert.bind(index++, result.url().toString());
			insert.bind(index++, result.outcome().name());
			bindNullable(insert, index++, result.httpStatus(), Integer.class);
			insert.bind(index++, result.attempts());
			insert.bind(index++, timestamp(micros(result.startedAt())));
			insert.bind(index++, result.duration().toNanos() / 1000);
			bindNullable(insert, index++, result.body(), String.class);
			insert.bind(index++, result.bodySize());
			bindNullable(insert, index++, this.codec.writeExtracted(result.extracted()), String.class);
			bindNullable(insert, index++, (error != null) ? error.kind().name() : null, String.class);
			bindNullable(insert, index++, (error != null) ? error.message() : null, String.class);
		}
	}

	private static void bindNullable(Statement statement, int index, @Nullable Object value, Class<?> type) {
		if (value != null) {
			statement.bind(index, value);
		}
		else {
			statement.bindNull(index, type);
		}
	}

	private Mono<Void> addCounts(UUID jobId, List<JobResult> results) {
		Map<OutcomeKind, Integer> added = new EnumMap<>(OutcomeKind.class);
		results.forEach((result) -> added.merge(result.outcome(), 1, Integer::sum));
		StringBuilder sql = new StringBuilder("UPDATE jobs SET ");
		int i = 0;
		for (OutcomeKind kind : added.keySet()) {
			String column = column(kind);
			sql.append((i++ > 0) ? ", " : "").append(column).append(" = ").append(column).append(" + :").append(column);
		}
		GenericExecuteSpec spec = this.db.sql(sql.append(" WHERE id = :id").toString()).bind("id", jobId);
		for (Map.Entry<OutcomeKind, Integer> entry : added.entrySet()) {
			spec = spec.bind(column(entry.getKey()), entry.getValue());
		}
		return spec.then();
	}

	// Mapping

	private Job mapJob(Readable row) {
		Map<OutcomeKind, Integer> counts = new EnumMap<>(OutcomeKind.class);
		for (OutcomeKind kind : OutcomeKind.values()) {
			counts.put(kind, required(row, column(kind), Integer.class));
		}
		String errorKind = row.get("error_kind", String.class);
		JobError error = (errorKind != null)
				? new JobError(JobError.Kind.valueOf(errorKind), row.get("error_message", String.class)) : null;
		Long deadlineMillis = row.get("deadline_ms", Long.class);
		return new Job(required(row, "id", UUID.class), required(row, "owner", String.class),
				row.get("name", String.class), this.codec.readLabels(required(row, "labels", String.class)),
				required(row, "priority", Integer.class), JobStatus.valueOf(required(row, "status", String.class)),
				new JobProgress(required(row, "total", Integer.class), counts), required(row, "attempt", Integer.class),
				required(row, "cancel_requested", Boolean.class), requiredInstant(row, "created_at"),
				instant(row, "started_at"), instant(row, "finished_at"),
				(deadlineMillis != null) ? Duration.ofMillis(deadlineMillis) : null, error,
				row.get("idempotency_key", String.class), row.get("schedule_id", UUID.class),
				row.get("lease_owner", String.class), instant(row, "lease_expires_at"));
	}

	private JobSpec mapSpec(Readable row) {
		return readSpec(row, row.get("name", String.class), this.codec.readLabels(required(row, "labels", String.class)),
				required(row, "priority", Integer.class));
	}

	/** The spec from {@link #SPEC_COLUMNS}: compressed, or as text if it was stored before V3. */
	private JobSpec readSpec(Readable row, @Nullable String name, Map<String, String> labels, int priority) {
		byte[] compressed = row.get("spec_gzip", byte[].class);
		return (compressed != null) ? this.codec.readSpec(compressed, name, labels, priority)
				: this.codec.readSpec(required(row, "spec", String.class), name, labels, priority);
	}

	private JobResult mapResult(Readable row) {
		String errorKind = row.get("error_kind", String.class);
		FetchError error = (errorKind != null)
				? new FetchError(ErrorKind.valueOf(errorKind), row.get("error_message", String.class)) : null;
		return new JobResult(required(row, "job_id", UUID.class), required(row, "idx", Integer.class),
				required(row, "method", String.class), URI.create(required(row, "url", String.class)),
				OutcomeKind.valueOf(required(row, "outcome", String.class)), row.get("http_status", Integer.class),
				required(row, "attempts", Integer.class), requiredInstant(row, "started_at"),
				Duration.ofNanos(required(row, "duration_us", Long.class) * 1000), row.get("body", String.class),
				required(row, "body_size", Long.class), this.codec.readExtracted(row.get("extracted", String.class)),
				error);
	}

	private static Counts mapCounts(Readable row) {
		int written = 0;
		for (OutcomeKind kind : OutcomeKind.values()) {
			written += required(row, column(kind), Integer.class);
		}
		return new Counts(required(row, "total", Integer.class), written);
	}

	/** A job's request count and how many of its results are stored. */
	private record Counts(int total, int written) {
	}

	private static String column(OutcomeKind kind) {
		return kind.name().toLowerCase(Locale.ROOT);
	}

	/** Runs the database work of {@code mono} where this database's driver may run; see the class comment. */
	<T> Mono<T> onDriver(Mono<T> mono) {
		return (this.driverScheduler != null)
				? mono.subscribeOn(this.driverScheduler).publishOn(Schedulers.parallel()) : mono;
	}

	<T> Flux<T> onDriver(Flux<T> flux) {
		return (this.driverScheduler != null)
				? flux.subscribeOn(this.driverScheduler).publishOn(Schedulers.parallel()) : flux;
	}

	/**
	 * Four H2 threads. Their queue is lock-free and the threads are started up front, so handing over
	 * a task from an event loop never parks: a {@code LinkedBlockingQueue} takes a lock that can, and
	 * starting a thread takes the pool's lock.
	 */
	private static ExecutorService driverThreads() {
		AtomicInteger count = new AtomicInteger();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedTransferQueue<>(),
				(task) -> {
					Thread thread = new Thread(task, "fanout-h2-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		executor.prestartAllCoreThreads();
		return executor;
	}
}
