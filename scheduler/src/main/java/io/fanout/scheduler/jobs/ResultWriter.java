package io.fanout.scheduler.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.SpecCodec;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.jobs.JobSql.countColumn;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * Writes a job's results and keeps its counts equal to them. Its statements are steps of a
 * transaction the caller holds, in which the job's row is already locked: results of one job are
 * thus numbered ({@code seq}) without gaps or repeats.
 */
final class ResultWriter {

	/** Rows per multi-row INSERT: well below PostgreSQL's 65,535 bind parameters. */
	private static final int INSERT_CHUNK = 200;

	/** Columns of job_results that an insert sets: job_id once per statement, then 14 per row. */
	private static final int RESULT_INSERT_COLUMNS = 15;

	private static final String FULL_CHUNK_INSERT = insertSql(INSERT_CHUNK);

	/** Cancelled results made and written at a time, as {@link #cancelUnresulted} does. */
	private static final int CANCEL_BATCH = 1000;

	private final Database db;

	private final SpecCodec codec;

	ResultWriter(Database db, SpecCodec codec) {
		this.db = db;
		this.codec = codec;
	}

	/** Indexes of the job's requests that have a stored result. */
	Mono<BitSet> resultedIndexes(UUID jobId) {
		return this.db.client()
			.sql("SELECT idx FROM job_results WHERE job_id = :id")
			.bind("id", jobId)
			.map((row) -> required(row, "idx", Integer.class))
			.all()
			.collect(BitSet::new, BitSet::set);
	}

	/** Inserts results numbered from {@code firstSeq} and adds them to the job's counts. */
	Mono<Void> write(UUID jobId, List<JobResult> results, int firstSeq) {
		return insert(jobId, results, firstSeq).then(addCounts(jobId, results));
	}

	/**
	 * Writes a CANCELLED result, with {@code why} as its error, for every request without one, and
	 * counts them. They are made and written {@value #CANCEL_BATCH} at a time: a job of a million
	 * requests cancelled early has a million to write, which held at once would not fit a small heap.
	 * @param written how many results the job has stored
	 * @return how many were written
	 */
	Mono<Integer> cancelUnresulted(UUID jobId, List<FetchRequest> requests, int written, Instant at, String why) {
		if (written >= requests.size()) {
			return Mono.just(0);
		}
		FetchError error = new FetchError(ErrorKind.CANCELLED, why);
		return resultedIndexes(jobId).flatMap((stored) -> {
			AtomicInteger seq = new AtomicInteger(written);
			Flux<List<JobResult>> batches = Flux.generate(() -> stored.nextClearBit(0), (from, sink) -> {
				List<JobResult> batch = new ArrayList<>(CANCEL_BATCH);
				int i = from;
				for (; i < requests.size() && batch.size() < CANCEL_BATCH; i = stored.nextClearBit(i + 1)) {
					FetchRequest request = requests.get(i);
					batch.add(new JobResult(jobId, i, request.method(), request.url(), OutcomeKind.CANCELLED, null, 0,
							at, Duration.ZERO, null, 0, Map.of(), error));
				}
				if (batch.isEmpty()) {
					sink.complete();
				}
				else {
					sink.next(batch);
				}
				return i;
			});
			// One batch made while the one before is written, no more; counted once, at the end.
			return batches
				.concatMap((batch) -> insert(jobId, batch, seq.getAndAdd(batch.size())).thenReturn(batch.size()), 1)
				.reduce(0, Integer::sum)
				.flatMap((count) -> addCounts(jobId, Map.of(OutcomeKind.CANCELLED, count), 0).thenReturn(count));
		});
	}

	private Mono<Void> insert(UUID jobId, List<JobResult> results, int firstSeq) {
		List<List<JobResult>> chunks = new ArrayList<>();
		for (int from = 0; from < results.size(); from += INSERT_CHUNK) {
			chunks.add(results.subList(from, Math.min(results.size(), from + INSERT_CHUNK)));
		}
		AtomicInteger seq = new AtomicInteger(firstSeq);
		return Flux.fromIterable(chunks)
			.concatMap((chunk) -> this.db.client().inConnection((connection) -> {
				Statement insert = connection
					.createStatement((chunk.size() == INSERT_CHUNK) ? FULL_CHUNK_INSERT : insertSql(chunk.size()));
				bind(insert, jobId, chunk, seq);
				return Flux.from(insert.execute()).concatMap(Result::getRowsUpdated).then();
			}))
			.then();
	}

	/**
	 * A multi-row INSERT with positional markers ({@code $1} is the job, shared by every row). Both
	 * drivers take {@code $n}; binding by position spares parsing named parameters out of a statement
	 * of thousands of them, which cost more than H2's insert itself.
	 */
	private static String insertSql(int rows) {
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

	private void bind(Statement insert, UUID jobId, List<JobResult> chunk, AtomicInteger seq) {
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

	/** What a result adds to its owner's stored bytes: the size of its body, if the body is stored. */
	static long storedBytes(JobResult result) {
		return (result.body() != null) ? result.bodySize() : 0;
	}

	private Mono<Void> addCounts(UUID jobId, List<JobResult> results) {
		Map<OutcomeKind, Integer> added = new EnumMap<>(OutcomeKind.class);
		long storedBytes = 0;
		for (JobResult result : results) {
			added.merge(result.outcome(), 1, Integer::sum);
			storedBytes += storedBytes(result);
		}
		return addCounts(jobId, added, storedBytes);
	}

	private Mono<Void> addCounts(UUID jobId, Map<OutcomeKind, Integer> added, long storedBytes) {
		// The owner's stored-bytes quota reads this column while the job runs, and its tenant's row
		// once it is settled (TenantBytes): kept here, in the row this statement updates anyway, it
		// costs the write nothing more.
		StringBuilder sql = new StringBuilder("UPDATE jobs SET stored_bytes = stored_bytes + :storedBytes");
		for (OutcomeKind kind : added.keySet()) {
			String column = countColumn(kind);
			sql.append(", ").append(column).append(" = ").append(column).append(" + :").append(column);
		}
		GenericExecuteSpec spec = this.db.client()
			.sql(sql.append(" WHERE id = :id").toString())
			.bind("id", jobId)
			.bind("storedBytes", storedBytes);
		for (Map.Entry<OutcomeKind, Integer> entry : added.entrySet()) {
			spec = spec.bind(countColumn(entry.getKey()), entry.getValue());
		}
		return spec.then();
	}

}
