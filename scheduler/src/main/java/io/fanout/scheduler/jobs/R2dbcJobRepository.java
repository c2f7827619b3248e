package io.fanout.scheduler.jobs;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.CompactRequests;
import io.fanout.scheduler.IdempotencyConflictException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobProgress;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.callbacks.CallbackOutbox;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.SpecCodec;
import io.fanout.scheduler.r2dbc.SpecCodec.StoredSpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.jobs.JobSql.CANCELLABLE;
import static io.fanout.scheduler.jobs.JobSql.FINISHED;
import static io.fanout.scheduler.jobs.JobSql.JOB_COLUMNS;
import static io.fanout.scheduler.jobs.JobSql.NO_OUTCOMES;
import static io.fanout.scheduler.jobs.JobSql.OUTCOME_COUNT_COLUMNS;
import static io.fanout.scheduler.jobs.JobSql.SPEC_COLUMNS;
import static io.fanout.scheduler.jobs.JobSql.COUNT_COLUMNS;
import static io.fanout.scheduler.r2dbc.Sql.bind;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.page;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * The {@link JobRepository} on R2DBC, for H2 and PostgreSQL alike.
 */
public final class R2dbcJobRepository implements JobRepository {

	private final Database db;

	private final DatabaseClient sql;

	private final JobRows rows;

	private final ResultWriter results;

	private final CallbackOutbox outbox;

	private final RequestChunks requests;

	private final TenantBytes usage;

	private final SourceIndexes sources;

	public R2dbcJobRepository(Database db) {
		this.db = db;
		this.sql = db.client();
		this.rows = new JobRows(new SpecCodec());
		this.results = new ResultWriter(db, this.rows.codec());
		this.outbox = new CallbackOutbox(db);
		this.requests = new RequestChunks(this.sql);
		this.usage = new TenantBytes(db);
		this.sources = new SourceIndexes(this.sql);
	}

	// Submission

	@Override
	public Mono<Job> insert(NewJob job) {
		return offTheCallerIfLarge(job.spec().requests().size(), () -> insertStatements(job))
			.flatMap(this.db::transactional)
			.onErrorResume(DataIntegrityViolationException.class,
					// Another submission with the same key won the race: behave as if it had come first.
					(ex) -> (job.idempotencyKey() != null)
							? findIdempotent(job.owner(), job.idempotencyKey(), job.spec(), job.scheduleId(),
									job.notBefore(), job.rerunOf())
								.switchIfEmpty(Mono.error(ex))
							: Mono.error(ex));
	}

	private Mono<Job> insertStatements(NewJob job) {
		JobSpec spec = job.spec();
		Instant createdAt = micros(job.createdAt());
		Duration deadline = spec.deadline();
		GenericExecuteSpec insertJob = this.sql.sql("INSERT INTO jobs (id, owner, name, labels, priority, status, "
				+ "attempt, cancel_requested, created_at, deadline_ms, fail_fast, total, " + OUTCOME_COUNT_COLUMNS
				+ ", idempotency_key, spec_hash, schedule_id, not_before, rerun_of) VALUES (:id, :owner, :name, "
				+ ":labels, :priority, :status, 0, FALSE, :createdAt, :deadlineMs, :failFast, :total, " + NO_OUTCOMES
				+ ", :key, :hash, :scheduleId, :notBefore, :rerunOf)")
			.bind("id", job.id())
			.bind("owner", job.owner())
			.bind("labels", this.rows.codec().writeLabels(spec.labels()))
			.bind("priority", spec.priority())
			.bind("status", JobStatus.QUEUED.name())
			.bind("createdAt", timestamp(createdAt))
			.bind("failFast", spec.policy().failFast())
			.bind("total", spec.requests().size())
			.bind("hash", fingerprint(spec, job.scheduleId(), job.notBefore(), job.rerunOf()));
		Instant notBefore = (job.notBefore() != null) ? micros(job.notBefore()) : null;
		insertJob = bind(insertJob, "name", spec.name(), String.class);
		insertJob = bind(insertJob, "deadlineMs", (deadline != null) ? deadline.toMillis() : null, Long.class);
		insertJob = bind(insertJob, "key", job.idempotencyKey(), String.class);
		insertJob = bind(insertJob, "scheduleId", job.scheduleId(), UUID.class);
		insertJob = bind(insertJob, "notBefore", (notBefore != null) ? timestamp(notBefore) : null,
				OffsetDateTime.class);
		insertJob = bind(insertJob, "rerunOf", job.rerunOf(), UUID.class);
		CompactRequests requests = CompactRequests.of(spec.requests());
		GenericExecuteSpec insertSpec = this.sql.sql("INSERT INTO job_specs (job_id, spec_gzip) VALUES (:id, :spec)")
			.bind("id", job.id())
			.bind("spec", this.rows.codec().writeSpec(spec, requests));
		Mono<Void> work = insertJob.then()
			.then(insertSpec.then())
			.then(this.requests.insert(job.id(), requests))
			.then(this.sources.insert(job.id(), job.sourceIndexes()))
			.then(Flux.fromIterable(spec.labels().entrySet())
				.concatMap((label) -> this.sql
					.sql("INSERT INTO job_labels (job_id, label_key, label_value) VALUES (:id, :key, :value)")
					.bind("id", job.id())
					.bind("key", label.getKey())
					.bind("value", label.getValue())
					.then())
				.then())
			.then((spec.callback() != null) ? this.outbox.save(job.id(), spec.callback()) : Mono.empty());
		Job inserted = new Job(job.id(), job.owner(), spec.name(), spec.labels(), spec.priority(), JobStatus.QUEUED,
				JobProgress.none(spec.requests().size()), 0, false, createdAt, null, null, deadline, null,
				job.idempotencyKey(), job.scheduleId(), notBefore, job.rerunOf());
		return work.thenReturn(inserted);
	}

	@Override
	public Mono<Job> findIdempotent(String owner, String idempotencyKey, JobSpec spec, @Nullable UUID scheduleId,
			@Nullable Instant notBefore, @Nullable UUID rerunOf) {
		Mono<String> hash = offTheCallerIfLarge(spec.requests().size(),
				() -> fingerprint(spec, scheduleId, notBefore, rerunOf));
		return hash.flatMap((expected) -> this.db.run(this.sql
			.sql("SELECT " + JOB_COLUMNS + ", spec_hash FROM jobs WHERE owner = :owner AND idempotency_key = :key")
			.bind("owner", owner)
			.bind("key", idempotencyKey)
			.map((row) -> Map.entry(this.rows.job(row), required(row, "spec_hash", String.class)))
			.one())
			.flatMap((found) -> found.getValue().equals(expected) ? Mono.just(found.getKey())
					: Mono.error(new IdempotencyConflictException(found.getKey().id(), idempotencyKey))));
	}

	/**
	 * Jobs of more requests than this are fingerprinted and encoded away from the subscribing thread:
	 * a million requests take a second or two of CPU, which on an event loop (the API's, or
	 * PostgreSQL's driver's) would hold every connection it serves.
	 */
	static final int LARGE_JOB = 10_000;

	/**
	 * {@code work} when subscribed: on the subscribing thread for a job of up to {@value #LARGE_JOB}
	 * requests, else on a thread that may take its time ({@link Schedulers#boundedElastic()}).
	 */
	static <T> Mono<T> offTheCallerIfLarge(int requests, Supplier<T> work) {
		Mono<T> computed = Mono.fromSupplier(work);
		return (requests > LARGE_JOB) ? computed.subscribeOn(Schedulers.boundedElastic()) : computed;
	}

	private String fingerprint(JobSpec spec, @Nullable UUID scheduleId, @Nullable Instant notBefore,
			@Nullable UUID rerunOf) {
		return this.rows.codec().fingerprint(spec, scheduleId, (notBefore != null) ? micros(notBefore) : null, rerunOf);
	}

	// Queries

	@Override
	public Mono<Long> countQueued() {
		return this.db.run(this.sql.sql("SELECT COUNT(*) AS n FROM jobs WHERE status = :status")
			.bind("status", JobStatus.QUEUED.name())
			.map((row) -> required(row, "n", Long.class))
			.one());
	}

	@Override
	public Mono<List<TenantLoad>> loads() {
		return this.db.run(TenantLoads.read(this.sql));
	}

	@Override
	public Mono<TenantUsage> usage(String owner) {
		return this.usage.usage(owner);
	}

	@Override
	public Mono<Job> find(String owner, UUID jobId) {
		return this.db.run(this.sql.sql("SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id AND owner = :owner")
			.bind("id", jobId)
			.bind("owner", owner)
			.map(this.rows::job)
			.one());
	}

	@Override
	public Mono<JobSpec> findSpec(String owner, UUID jobId) {
		return this.db.run(this.sql
			.sql("SELECT j.name, j.labels, j.priority, " + SPEC_COLUMNS
					+ " FROM jobs j JOIN job_specs s ON s.job_id = j.id WHERE j.id = :id AND j.owner = :owner")
			.bind("id", jobId)
			.bind("owner", owner)
			.map((row) -> new SpecRow(row.get("name", String.class),
					this.rows.codec().readLabels(required(row, "labels", String.class)),
					required(row, "priority", Integer.class), this.rows.spec(row)))
			.one()
			.flatMap((found) -> this.requests.spec(jobId, found.stored(), found.name(), found.labels(),
					found.priority())));
	}

	/** A spec as read, before its requests are. */
	private record SpecRow(@Nullable String name, Map<String, String> labels, int priority, StoredSpec stored) {
	}

	@Override
	public Mono<List<Integer>> resultIndexes(UUID jobId, Set<OutcomeKind> outcomes) {
		if (outcomes.isEmpty()) {
			return Mono.just(List.of());
		}
		return this.db.run(this.sql
			.sql("SELECT idx FROM job_results WHERE job_id = :id AND outcome IN (:outcomes) ORDER BY idx")
			.bind("id", jobId)
			.bind("outcomes", outcomes.stream().map(Enum::name).sorted().toList())
			.map((row) -> required(row, "idx", Integer.class))
			.all()
			// A rerun of a million requests: as ints, not a million Integers.
			.collect(IndexList.Builder::new, IndexList.Builder::add)
			.<List<Integer>>map(IndexList.Builder::build));
	}

	@Override
	public Mono<List<UUID>> reruns(String owner, UUID jobId, int limit) {
		return this.db.run(this.sql
			.sql("SELECT id FROM jobs WHERE rerun_of = :id AND owner = :owner ORDER BY id DESC LIMIT " + limit)
			.bind("id", jobId)
			.bind("owner", owner)
			.map((row) -> required(row, "id", UUID.class))
			.all()
			.collectList());
	}

	@Override
	public Mono<Map<Integer, Integer>> sourceIndexes(UUID jobId, Collection<Integer> indexes) {
		return this.db.run(this.sources.of(jobId, indexes));
	}

	@Override
	public Mono<JobPage> list(String owner, JobQuery query) {
		StringBuilder select = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM jobs j WHERE j.owner = :owner");
		Map<String, Object> params = new LinkedHashMap<>();
		params.put("owner", owner);
		if (!query.statuses().isEmpty()) {
			select.append(" AND j.status IN (:statuses)");
			params.put("statuses", query.statuses().stream().map(Enum::name).toList());
		}
		if (query.scheduleId() != null) {
			select.append(" AND j.schedule_id = :scheduleId");
			params.put("scheduleId", query.scheduleId());
		}
		if (query.name() != null) {
			select.append(" AND j.name = :name");
			params.put("name", query.name());
		}
		if (query.cursor() != null) {
			select.append(" AND j.id < :cursor");
			params.put("cursor", query.cursor());
		}
		int i = 0;
		for (Map.Entry<String, String> label : query.labels().entrySet()) {
			select.append(" AND EXISTS (SELECT 1 FROM job_labels l WHERE l.job_id = j.id AND l.label_key = :lk")
				.append(i)
				.append(" AND l.label_value = :lv")
				.append(i)
				.append(")");
			params.put("lk" + i, label.getKey());
			params.put("lv" + i, label.getValue());
			i++;
		}
		// One more than asked tells whether there is a next page.
		select.append(" ORDER BY j.id DESC LIMIT ").append(query.limit() + 1);
		GenericExecuteSpec spec = this.sql.sql(select.toString());
		for (Map.Entry<String, Object> param : params.entrySet()) {
			spec = spec.bind(param.getKey(), param.getValue());
		}
		return this.db.run(spec.map(this.rows::job)
			.all()
			.collectList()
			.map((jobs) -> page(jobs, query.limit(), Job::id, JobPage::new)));
	}

	@Override
	public Mono<Map<UUID, JobStatus>> statuses(Collection<UUID> jobIds) {
		if (jobIds.isEmpty()) {
			return Mono.just(Map.of());
		}
		return this.db.run(this.sql.sql("SELECT id, status FROM jobs WHERE id IN (:ids)")
			.bind("ids", jobIds)
			.map((row) -> Map.entry(required(row, "id", UUID.class),
					JobStatus.valueOf(required(row, "status", String.class))))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	@Override
	public Mono<ResultPage> results(UUID jobId, ResultQuery query, long maxBytes) {
		StringBuilder where = new StringBuilder("job_id = :id");
		if (query.cursor() != null) {
			where.append(" AND idx > :cursor");
		}
		if (!query.outcomes().isEmpty()) {
			where.append(" AND outcome IN (:outcomes)");
		}
		// One more than asked tells whether there is a next page.
		GenericExecuteSpec spec = this.sql
			.sql(JobSql.resultPage(where.toString(), "idx", query.limit() + 1, query.withBodies()))
			.bind("id", jobId)
			.bind("budget", maxBytes);
		if (query.cursor() != null) {
			spec = spec.bind("cursor", query.cursor());
		}
		if (!query.outcomes().isEmpty()) {
			spec = spec.bind("outcomes", query.outcomes().stream().map(Enum::name).toList());
		}
		return this.db.run(readPage(spec, query.limit(), query.withBodies())).map((read) -> {
			List<JobResult> items = read.results();
			return new ResultPage(items, read.more() ? items.get(items.size() - 1).index() : null);
		});
	}

	@Override
	public Mono<StoredResults> resultsInStoredOrder(UUID jobId, int fromSeq, int limit, long maxBytes,
			boolean withBodies) {
		GenericExecuteSpec spec = this.sql
			.sql(JobSql.resultPage("job_id = :id AND seq >= :from", "seq", limit + 1, withBodies))
			.bind("id", jobId)
			.bind("from", fromSeq)
			.bind("budget", maxBytes);
		return this.db.run(readPage(spec, limit, withBodies));
	}

	/** Up to {@code limit} results of a {@link JobSql#resultPage} statement, and whether more matched. */
	private Mono<StoredResults> readPage(GenericExecuteSpec spec, int limit, boolean withBodies) {
		return spec.map((row) -> Map.entry(this.rows.result(row, withBodies), required(row, "candidates", Long.class)))
			.all()
			.collectList()
			.map((found) -> {
				long candidates = found.isEmpty() ? 0 : found.get(0).getValue();
				List<JobResult> results = new ArrayList<>(Math.min(found.size(), limit));
				for (int i = 0; i < found.size() && i < limit; i++) {
					results.add(found.get(i).getKey());
				}
				return new StoredResults(results, candidates > results.size());
			});
	}

	// Cancellation and deletion

	@Override
	public Mono<Boolean> requestCancel(String owner, UUID jobId) {
		return this.db.run(this.sql
			.sql("UPDATE jobs SET cancel_requested = TRUE WHERE id = :id AND owner = :owner AND " + CANCELLABLE)
			.bind("id", jobId)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0));
	}

	@Override
	public Mono<Boolean> cancelQueued(UUID jobId, Instant now) {
		Instant at = micros(now);
		// The UPDATE takes the row lock first: a worker cannot claim the job while this runs.
		Mono<Boolean> work = this.sql
			.sql("UPDATE jobs SET status = :cancelled, finished_at = :now WHERE id = :id AND status = :queued")
			.bind("cancelled", JobStatus.CANCELLED.name())
			.bind("queued", JobStatus.QUEUED.name())
			.bind("id", jobId)
			.bind("now", timestamp(at))
			.fetch()
			.rowsUpdated()
			.flatMap((count) -> (count == 0) ? Mono.just(false)
					: Mono.zip(written(jobId), this.sql
						.sql("SELECT " + SPEC_COLUMNS + " FROM job_specs s WHERE s.job_id = :id")
						.bind("id", jobId)
						.map(this.rows::spec)
						.one()
						.flatMap((stored) -> this.requests.spec(jobId, stored, null, Map.of(), 0))
						.map(JobSpec::requests))
						.flatMap((found) -> this.results.cancelUnresulted(jobId, found.getT2(), found.getT1(), at,
								"job cancelled before it started"))
						.then(this.usage.settle(jobId))
						.then(this.outbox.ended(jobId, JobStatus.CANCELLED, at))
						.thenReturn(true));
		return this.db.transactional(work);
	}

	@Override
	public Mono<Boolean> deleteFinished(String owner, UUID jobId) {
		// Results, spec and labels go with the job (ON DELETE CASCADE).
		return this.db.transactional(this.usage
			.delete("id = :id AND owner = :owner AND " + FINISHED,
					(delete) -> delete.bind("id", jobId).bind("owner", owner))
			.map((count) -> count > 0));
	}

	private Mono<Integer> written(UUID jobId) {
		return this.sql.sql("SELECT " + COUNT_COLUMNS + " FROM jobs WHERE id = :id")
			.bind("id", jobId)
			.map(JobRows::written)
			.one();
	}

}
