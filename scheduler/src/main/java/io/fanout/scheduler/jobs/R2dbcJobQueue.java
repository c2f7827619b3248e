package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.callbacks.CallbackOutbox;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.scheduler.r2dbc.SpecCodec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.jobs.JobSql.CLAIMABLE;
import static io.fanout.scheduler.jobs.JobSql.COUNT_COLUMNS;
import static io.fanout.scheduler.jobs.JobSql.DUE;
import static io.fanout.scheduler.jobs.JobSql.FENCE;
import static io.fanout.scheduler.jobs.JobSql.FINISHED;
import static io.fanout.scheduler.jobs.JobSql.JOB_COLUMNS;
import static io.fanout.scheduler.jobs.JobSql.REQUEUEABLE;
import static io.fanout.scheduler.jobs.JobSql.SPEC_COLUMNS;
import static io.fanout.scheduler.r2dbc.Sql.bind;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.requiredInstant;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * The {@link JobQueue} on R2DBC, for H2 and PostgreSQL alike: only the claim and the purge's delete
 * ({@link TenantBytes#delete}) differ. A claim reads every owner's queued and running jobs, shares
 * the free slots out fairly ({@link FairShare}), then claims each owner's share in a transaction of
 * its own that re-counts the owner's running jobs:
 * <ul>
 * <li>PostgreSQL: under the owner's advisory claim lock, one
 * {@code UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id}; concurrent claimers
 * skip each other's rows, and no lock outlives the transaction.</li>
 * <li>H2: candidates first, then each taken with an {@code UPDATE} that only succeeds while it is
 * still claimable, so that of two claimers of one job exactly one wins.</li>
 * </ul>
 */
public final class R2dbcJobQueue implements JobQueue {

	/** The first key of the owners' claim locks, so that they collide with no other advisory lock. */
	private static final int CLAIM_LOCK_SPACE = 0x46414E43;

	/**
	 * A batch whose indexes span less than this many times its size reads every stored index in
	 * that span rather than matching its own list (see storedAmong).
	 */
	private static final int DENSE_RANGE_FACTOR = 4;

	/** What a claim sets: the job runs, one attempt more, under a lease; its first start is kept. */
	private static final String TAKE = "UPDATE jobs SET status = :running, attempt = attempt + 1, "
			+ "lease_owner = :node, lease_expires_at = :until, started_at = COALESCE(started_at, :now) WHERE ";

	private final Database db;

	private final DatabaseClient sql;

	private final JobRows rows;

	private final RequestChunks requests;

	private final ResultWriter results;

	private final ResultFeed feed;

	private final CallbackOutbox outbox;

	private final QuotaProperties quotas;

	private final FairShare fairShare;

	private final TenantBytes usage;

	/** With the default quotas and weights for every owner, and a feed of its own. */
	public R2dbcJobQueue(Database db) {
		this(db, QuotaProperties.defaults(), new ResultFeed());
	}

	/** @param feed where results are published once written, for the streams that follow the job here */
	public R2dbcJobQueue(Database db, ResultFeed feed) {
		this(db, QuotaProperties.defaults(), feed);
	}

	/** @param quotas each owner's running-jobs quota and weight, which claims respect */
	public R2dbcJobQueue(Database db, QuotaProperties quotas) {
		this(db, quotas, new ResultFeed());
	}

	/**
	 * @param quotas each owner's running-jobs quota and weight, which claims respect
	 * @param feed where results are published once written, for the streams that follow the job here
	 */
	public R2dbcJobQueue(Database db, QuotaProperties quotas, ResultFeed feed) {
		this.db = db;
		this.quotas = quotas;
		this.fairShare = new FairShare(quotas);
		this.sql = db.client();
		this.rows = new JobRows(new SpecCodec());
		this.requests = new RequestChunks(db.client());
		this.results = new ResultWriter(db, this.rows.codec());
		this.outbox = new CallbackOutbox(db);
		this.usage = new TenantBytes(db);
		this.feed = feed;
	}

	@Override
	public Mono<Integer> requeueExpired(Instant now) {
		return this.db.run(this.sql
			.sql("UPDATE jobs SET status = :queued, lease_owner = NULL, lease_expires_at = NULL WHERE " + REQUEUEABLE
					+ " AND lease_expires_at < :now")
			.bind("queued", JobStatus.QUEUED.name())
			.bind("now", timestamp(now))
			.fetch()
			.rowsUpdated()
			.map(Long::intValue));
	}

	@Override
	public Flux<ClaimedJob> claim(String node, int max, Instant now, Instant leaseUntil) {
		if (max < 1) {
			return Flux.empty();
		}
		// Delayed jobs not yet due are left out of the loads: a tenant with only those gets no slot.
		Flux<UUID> claimed = TenantLoads.readDue(this.sql, micros(now))
			.flatMapIterable((loads) -> this.fairShare.plan(loads, max).entrySet())
			.concatMap((share) -> claimFor(share.getKey(), share.getValue(), node, now, leaseUntil));
		return this.db.run(claimed.collectList()
			.flatMapMany((ids) -> ids.isEmpty() ? Flux.empty()
					: this.sql
						.sql("SELECT " + JOB_COLUMNS + ", " + SPEC_COLUMNS + " FROM jobs j "
								+ "JOIN job_specs s ON s.job_id = j.id "
								+ "WHERE j.id IN (:ids) AND j.lease_owner = :node AND j.status = :running ORDER BY j.id")
						.bind("ids", ids)
						.bind("node", node)
						.bind("running", JobStatus.RUNNING.name())
						.map((row) -> Map.entry(this.rows.job(row), this.rows.spec(row)))
						.all()
						// One job's chunks at a time: a claim reads one job's compressed requests at once.
						.concatMap((found) -> {
							Job job = found.getKey();
							return this.requests.spec(job.id(), found.getValue(), job.name(), job.labels(), job.priority())
								.map((spec) -> new ClaimedJob(job, spec, new Fence(job.id(), node, job.attempt())));
						})));
	}

	/**
	 * Claims up to {@code wanted} of the owner's queued jobs, its best first, as far as its
	 * running-jobs quota leaves room, in one transaction. On PostgreSQL the transaction first takes
	 * the owner's claim lock, a transaction-scoped advisory lock: claims for one owner thus run one at
	 * a time across replicas, each counting the running jobs the one before committed, and a claimer
	 * that finds the lock taken skips the owner this cycle rather than wait.
	 */
	private Flux<UUID> claimFor(String owner, int wanted, String node, Instant now, Instant leaseUntil) {
		int quota = this.quotas.of(owner).runningJobs();
		Mono<List<UUID>> work = lockOwner(owner).filter(Boolean::booleanValue)
			.flatMap((locked) -> countRunning(owner))
			.flatMap((running) -> {
				int room = (int) Math.min(wanted, Math.max(0, quota - running));
				if (room < 1) {
					return Mono.empty();
				}
				Flux<UUID> taken = switch (this.db.dialect()) {
					case POSTGRESQL -> claimSkippingLocked(owner, room, node, now, leaseUntil);
					case H2 -> claimConditionally(owner, room, node, now, leaseUntil);
				};
				return taken.collectList();
			});
		return this.db.transactional(work).flatMapIterable((ids) -> ids);
	}

	private Mono<Boolean> lockOwner(String owner) {
		if (this.db.dialect() != Dialect.POSTGRESQL) {
			// One instance: its claims already run one at a time.
			return Mono.just(true);
		}
		return this.sql.sql("SELECT pg_try_advisory_xact_lock(" + CLAIM_LOCK_SPACE + ", hashtext(:owner)) AS locked")
			.bind("owner", owner)
			.map((row) -> required(row, "locked", Boolean.class))
			.one();
	}

	private Mono<Long> countRunning(String owner) {
		return this.sql.sql("SELECT COUNT(*) AS n FROM jobs WHERE owner = :owner AND status = :running")
			.bind("owner", owner)
			.bind("running", JobStatus.RUNNING.name())
			.map((row) -> required(row, "n", Number.class).longValue())
			.one();
	}

	private Flux<UUID> claimSkippingLocked(String owner, int max, String node, Instant now, Instant leaseUntil) {
		return take(this.sql.sql(TAKE + "id IN (SELECT id FROM jobs WHERE owner = :owner AND " + CLAIMABLE + " AND "
				+ DUE + " ORDER BY priority DESC, id LIMIT " + max + " FOR UPDATE SKIP LOCKED) RETURNING id"), node, now,
				leaseUntil)
			.bind("owner", owner)
			.map((row) -> required(row, "id", UUID.class))
			.all();
	}

	private Flux<UUID> claimConditionally(String owner, int max, String node, Instant now, Instant leaseUntil) {
		return this.sql
			.sql("SELECT id FROM jobs WHERE owner = :owner AND " + CLAIMABLE + " AND " + DUE
					+ " ORDER BY priority DESC, id LIMIT " + max)
			.bind("owner", owner)
			.bind("now", timestamp(micros(now)))
			.map((row) -> required(row, "id", UUID.class))
			.all()
			.collectList()
			.flatMapMany(Flux::fromIterable)
			.concatMap((id) -> take(this.sql.sql(TAKE + "id = :id AND " + CLAIMABLE + " AND " + DUE), node, now,
					leaseUntil)
				.bind("id", id)
				.fetch()
				.rowsUpdated()
				.filter((count) -> count == 1)
				.map((count) -> id));
	}

	private static GenericExecuteSpec take(GenericExecuteSpec spec, String node, Instant now, Instant leaseUntil) {
		return spec.bind("running", JobStatus.RUNNING.name())
			.bind("node", node)
			.bind("until", timestamp(micros(leaseUntil)))
			.bind("now", timestamp(micros(now)));
	}

	@Override
	public Mono<Boolean> renew(Fence fence, Instant leaseUntil) {
		return this.db.run(fenced(this.sql.sql("UPDATE jobs SET lease_expires_at = :until WHERE " + FENCE)
			.bind("until", timestamp(micros(leaseUntil))), fence)
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	@Override
	public Flux<UUID> findCancelRequested(String node) {
		return this.db.run(this.sql
			.sql("SELECT id FROM jobs WHERE status = :running AND lease_owner = :node AND cancel_requested = TRUE")
			.bind("running", JobStatus.RUNNING.name())
			.bind("node", node)
			.map((row) -> required(row, "id", UUID.class))
			.all());
	}

	@Override
	public Mono<BitSet> resultedIndexes(UUID jobId) {
		return this.db.run(this.results.resultedIndexes(jobId));
	}

	/**
	 * The indexes of {@code batch} that already have a stored result, and possibly other stored
	 * indexes between the batch's lowest and highest. Both databases walk the primary key (job_id,
	 * idx) over that range only, not every result of the job. Results complete roughly in index order,
	 * so the range is usually short: then every stored index in it is read, which costs less than
	 * binding and matching a list of hundreds of indexes (3% of the CPU of a million-request job);
	 * a wide range (a slow request among fast ones, a resumed job) is matched against the list.
	 */
	private Flux<Integer> storedAmong(UUID jobId, List<JobResult> batch) {
		IntSummaryStatistics range = batch.stream().mapToInt(JobResult::index).summaryStatistics();
		boolean dense = (long) range.getMax() - range.getMin() < (long) DENSE_RANGE_FACTOR * batch.size();
		GenericExecuteSpec select = this.sql
			.sql("SELECT idx FROM job_results WHERE job_id = :id AND idx BETWEEN :low AND :high"
					+ (dense ? "" : " AND idx IN (:indexes)"))
			.bind("id", jobId)
			.bind("low", range.getMin())
			.bind("high", range.getMax());
		if (!dense) {
			select = select.bind("indexes", batch.stream().map(JobResult::index).distinct().toList());
		}
		return select.map((row) -> required(row, "idx", Integer.class)).all();
	}

	@Override
	public Mono<Void> appendResults(Fence fence, List<JobResult> batch) {
		if (batch.isEmpty()) {
			return Mono.empty();
		}
		UUID jobId = fence.jobId();
		Mono<Written> work = lockFenced(fence).flatMap((written) -> storedAmong(jobId, batch)
			.collect(HashSet<Integer>::new, Set::add)
			.flatMap((stored) -> {
				List<JobResult> fresh = new ArrayList<>(batch.size());
				for (JobResult result : batch) {
					// A result is written once: already stored, or twice in this batch, it is skipped.
					if (stored.add(result.index())) {
						fresh.add(result);
					}
				}
				return fresh.isEmpty() ? Mono.<Written>empty()
						: this.results.write(jobId, fresh, written)
							.then(this.outbox.progressed(jobId, written, fresh.size(), latestStart(fresh)))
							.thenReturn(new Written(written, fresh));
			}));
		// Published once committed (the transaction completes after its commit, its value may come
		// before): a stream is never fed a result that the database could still lose.
		AtomicReference<@Nullable Written> stored = new AtomicReference<>();
		return this.db.transactional(work).doOnNext(stored::set).then(Mono.fromRunnable(() -> {
			Written written = stored.get();
			if (written != null) {
				this.feed.publish(jobId, written.firstSeq(), written.results());
			}
		}));
	}

	/**
	 * When the last of these results started: the time of a progress event they reach. The queue
	 * reads no clock, and a start is never in the future of the worker's clock, so the event is due.
	 */
	private static Instant latestStart(List<JobResult> results) {
		Instant latest = Instant.EPOCH;
		for (JobResult result : results) {
			latest = result.startedAt().isAfter(latest) ? result.startedAt() : latest;
		}
		return latest;
	}

	/** Results a batch stored, numbered from {@code firstSeq} in storage order. */
	private record Written(int firstSeq, List<JobResult> results) {
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
			.flatMap((written) -> this.results.cancelUnresulted(jobId, requests, written, at, why))
			.flatMap((cancelled) -> {
				GenericExecuteSpec update = this.sql
					.sql("UPDATE jobs SET status = :status, finished_at = :now, lease_expires_at = NULL, "
							+ "error_kind = :errorKind, error_message = :errorMessage WHERE id = :id")
					.bind("status", to.name())
					.bind("now", timestamp(at))
					.bind("id", jobId);
				update = bind(update, "errorKind", (error != null) ? error.kind().name() : null, String.class);
				update = bind(update, "errorMessage", (error != null) ? error.message() : null, String.class);
				// The callback's event is stored with the end it reports, or neither is; the job's
				// stored bytes become its tenant's with its end too.
				return update.then().then(this.usage.settle(jobId)).then(this.outbox.ended(jobId, to, at));
			});
		return this.db.transactional(work);
	}

	@Override
	public Mono<Boolean> release(Fence fence) {
		return this.db.run(fenced(this.sql.sql(
				"UPDATE jobs SET status = :queued, lease_owner = NULL, lease_expires_at = NULL WHERE " + FENCE), fence)
			.bind("queued", JobStatus.QUEUED.name())
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	@Override
	public Mono<Integer> purgeFinishedBefore(Instant cutoff, int batchSize) {
		Mono<Integer> work = this.sql
			.sql("SELECT id FROM jobs WHERE " + FINISHED + " AND finished_at < :cutoff LIMIT " + batchSize)
			.bind("cutoff", timestamp(cutoff))
			.map((row) -> required(row, "id", UUID.class))
			.all()
			.collectList()
			.flatMap((ids) -> ids.isEmpty() ? Mono.just(0)
					: this.usage.delete("id IN (:ids) AND " + FINISHED, (delete) -> delete.bind("ids", ids)));
		return this.db.transactional(work);
	}

	@Override
	public Mono<Lease> lease(UUID jobId) {
		return this.db.run(this.sql
			.sql("SELECT lease_owner, lease_expires_at FROM jobs WHERE id = :id AND lease_expires_at IS NOT NULL")
			.bind("id", jobId)
			.map((row) -> new Lease(required(row, "lease_owner", String.class), requiredInstant(row, "lease_expires_at")))
			.one());
	}

	private static GenericExecuteSpec fenced(GenericExecuteSpec spec, Fence fence) {
		return spec.bind("id", fence.jobId()).bind("node", fence.node()).bind("attempt", fence.attempt());
	}

	/**
	 * Locks the job's row if the fence holds, else fails with {@link LeaseLostException}. Held to the
	 * end of the transaction, the lock serializes every result write of the job and keeps a requeue
	 * of the job waiting until the write committed.
	 * @return how many of the job's results are stored
	 */
	private Mono<Integer> lockFenced(Fence fence) {
		return fenced(this.sql.sql("SELECT " + COUNT_COLUMNS + " FROM jobs WHERE " + FENCE + " FOR UPDATE"), fence)
			.map(JobRows::written)
			.one()
			.switchIfEmpty(Mono.error(() -> new LeaseLostException(fence)));
	}

}
