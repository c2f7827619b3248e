package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.r2dbc.Sql;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

import static io.fanout.scheduler.r2dbc.Sql.instant;
import static io.fanout.scheduler.r2dbc.Sql.required;

/**
 * Reads every tenant's queued and running jobs in one statement. It reads only jobs that wait or
 * run (by the status of {@code jobs_claim_idx}), which the queue's bound and the instances' slots
 * keep few, so claims and gauges can afford it every cycle.
 */
final class TenantLoads {

	private static final String SQL = "SELECT owner, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs "
			+ "WHERE status IN ('" + JobStatus.QUEUED.name() + "', '" + JobStatus.RUNNING.name() + "') "
			+ "GROUP BY owner, status";

	/** The same, but of the queued jobs only those due by {@code :now} ({@link JobSql#DUE}). */
	private static final String DUE_SQL = "SELECT owner, status, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs "
			+ "WHERE status = '" + JobStatus.RUNNING.name() + "' OR (status = '" + JobStatus.QUEUED.name() + "' AND "
			+ JobSql.DUE + ") GROUP BY owner, status";

	private TenantLoads() {
	}

	/** Every tenant's jobs waiting, delayed ones included, and running: what the gauges show. */
	static Mono<List<TenantLoad>> read(DatabaseClient sql) {
		return read(sql.sql(SQL));
	}

	/** Every tenant's jobs running and those waiting that may start by {@code now}: what a claim shares out. */
	static Mono<List<TenantLoad>> readDue(DatabaseClient sql, Instant now) {
		return read(sql.sql(DUE_SQL).bind("now", Sql.timestamp(now)));
	}

	private static Mono<List<TenantLoad>> read(DatabaseClient.GenericExecuteSpec statement) {
		return statement
			.map((row) -> new Row(required(row, "owner", String.class), required(row, "status", String.class),
					required(row, "n", Number.class).longValue(), instant(row, "oldest")))
			.all()
			.collectList()
			.map(TenantLoads::merge);
	}

	private static List<TenantLoad> merge(List<Row> rows) {
		Map<String, TenantLoad> loads = new LinkedHashMap<>();
		for (Row row : rows) {
			boolean queued = JobStatus.QUEUED.name().equals(row.status);
			loads.merge(row.owner,
					new TenantLoad(row.owner, queued ? row.count : 0, queued ? 0 : row.count, queued ? row.oldest : null),
					(a, b) -> new TenantLoad(a.owner(), a.queued() + b.queued(), a.running() + b.running(),
							(a.oldestQueued() != null) ? a.oldestQueued() : b.oldestQueued()));
		}
		return new ArrayList<>(loads.values());
	}

	private record Row(String owner, String status, long count, @Nullable Instant oldest) {
	}

}
