package io.fanout.scheduler.jobs;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;

import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.Dialect;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.jobs.JobSql.FINISHED;
import static io.fanout.scheduler.r2dbc.Sql.required;

/**
 * A tenant's use of its quotas, read without a pass over its history. Result writes add to their
 * job's {@code stored_bytes} ({@link ResultWriter}); the transaction that finishes a job
 * {@link #settle settles} it: moves its bytes into its tenant's row of {@code tenant_usage} and marks
 * it settled, after which they never change. Deleting settled jobs takes their bytes out of the row
 * ({@link #delete}). A tenant's stored bytes are its row plus its unsettled jobs': those queued or
 * running, which its quotas keep few, and any an earlier version finished. So the check before each
 * submission reads a handful of rows whether the tenant keeps ten jobs or a million, and result
 * writes never touch a row that a tenant's other jobs write too.
 */
final class TenantBytes {

	/** What {@link #usage} reads: the tenant's unsettled jobs and its row. */
	static final String USAGE = "SELECT COUNT(CASE WHEN status = :queued THEN 1 END) AS queued, "
			+ "COUNT(CASE WHEN status = :running THEN 1 END) AS running, "
			+ "COALESCE(SUM(stored_bytes), 0) AS unsettled_bytes, "
			+ "(SELECT settled_bytes FROM tenant_usage WHERE owner = :owner) AS settled_bytes "
			+ "FROM jobs WHERE owner = :owner AND settled = FALSE";

	private final Database db;

	private final DatabaseClient sql;

	TenantBytes(Database db) {
		this.db = db;
		this.sql = db.client();
	}

	/**
	 * The tenant's queued and running jobs and its stored bytes. The first read of a tenant makes its
	 * row, so that the jobs it goes on to submit settle into a row that exists.
	 */
	Mono<TenantUsage> usage(String owner) {
		Mono<TenantUsage> read = this.sql.sql(USAGE)
			.bind("queued", JobStatus.QUEUED.name())
			.bind("running", JobStatus.RUNNING.name())
			.bind("owner", owner)
			.map((row) -> {
				Long settled = nullableLong(row, "settled_bytes");
				TenantUsage usage = new TenantUsage(number(row, "queued"), number(row, "running"),
						number(row, "unsettled_bytes") + ((settled != null) ? settled : 0));
				return new Read(usage, settled != null);
			})
			.one()
			.flatMap((found) -> found.rowExists() ? Mono.just(found.usage())
					: createRow(owner).thenReturn(found.usage()));
		return this.db.run(read);
	}

	/**
	 * Settles a job that has just finished, as part of the transaction that finishes it, after its
	 * last result is written. A job already settled, or not finished, is left as it is.
	 */
	Mono<Void> settle(UUID jobId) {
		return this.sql.sql("UPDATE jobs SET settled = TRUE WHERE id = :id AND settled = FALSE AND " + FINISHED)
			.bind("id", jobId)
			.fetch()
			.rowsUpdated()
			.filter((count) -> count > 0)
			.flatMap((count) -> this.sql.sql("SELECT owner, stored_bytes FROM jobs WHERE id = :id")
				.bind("id", jobId)
				.map((row) -> new Owned(required(row, "owner", String.class), number(row, "stored_bytes")))
				.one())
			.filter((owned) -> owned.bytes() > 0)
			.flatMap((owned) -> add(owned.owner(), owned.bytes()));
	}

	/**
	 * Deletes the jobs {@code where} selects, with what cascades from them, and takes the settled
	 * ones' bytes out of their tenants' rows; the number of jobs deleted. Run it in a transaction.
	 *
	 * @param where the condition on {@code jobs}
	 * @param binds binds the condition's parameters
	 */
	Mono<Integer> delete(String where, UnaryOperator<GenericExecuteSpec> binds) {
		// Both name the rows the DELETE itself removed: a concurrent delete of the same job takes its
		// bytes out once, in whichever transaction removed it.
		String statement = switch (this.db.dialect()) {
			case POSTGRESQL -> "DELETE FROM jobs WHERE " + where + " RETURNING owner, stored_bytes, settled";
			case H2 -> "SELECT owner, stored_bytes, settled FROM OLD TABLE (DELETE FROM jobs WHERE " + where + ")";
		};
		return binds.apply(this.sql.sql(statement))
			.map((row) -> new Deleted(required(row, "owner", String.class), number(row, "stored_bytes"),
					required(row, "settled", Boolean.class)))
			.all()
			.collectList()
			.flatMap((deleted) -> subtract(deleted).thenReturn(deleted.size()));
	}

	private Mono<Void> subtract(List<Deleted> deleted) {
		// By owner, in one order in every transaction: two that delete jobs of the same tenants lock
		// their rows in the same order.
		Map<String, Long> bytes = new TreeMap<>();
		for (Deleted job : deleted) {
			if (job.settled() && job.bytes() > 0) {
				bytes.merge(job.owner(), job.bytes(), Long::sum);
			}
		}
		return Flux.fromIterable(bytes.entrySet())
			.concatMap((owned) -> this.sql
				.sql("UPDATE tenant_usage SET settled_bytes = settled_bytes - :bytes WHERE owner = :owner")
				.bind("bytes", owned.getValue())
				.bind("owner", owned.getKey())
				.then())
			.then();
	}

	private Mono<Void> add(String owner, long bytes) {
		if (this.db.dialect() == Dialect.POSTGRESQL) {
			// One statement that cannot fail for a row another transaction inserts meanwhile.
			return this.sql
				.sql("INSERT INTO tenant_usage (owner, settled_bytes) VALUES (:owner, :bytes) ON CONFLICT (owner) "
						+ "DO UPDATE SET settled_bytes = tenant_usage.settled_bytes + EXCLUDED.settled_bytes")
				.bind("owner", owner)
				.bind("bytes", bytes)
				.then();
		}
		return this.sql.sql("UPDATE tenant_usage SET settled_bytes = settled_bytes + :bytes WHERE owner = :owner")
			.bind("bytes", bytes)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			// No row: a job stored without the check before a submission, which makes it.
			.flatMap((count) -> (count > 0) ? Mono.empty()
					: this.sql.sql("INSERT INTO tenant_usage (owner, settled_bytes) VALUES (:owner, :bytes)")
						.bind("owner", owner)
						.bind("bytes", bytes)
						.then());
	}

	/**
	 * Makes the tenant's row unless it exists. A schedule's fire reads usage inside its transaction: on
	 * PostgreSQL a failed statement would abort it, so a racing insert of the same row is a no-op
	 * there; on H2 a failed statement leaves the transaction as it was.
	 */
	private Mono<Void> createRow(String owner) {
		String insert = switch (this.db.dialect()) {
			case POSTGRESQL -> "INSERT INTO tenant_usage (owner, settled_bytes) VALUES (:owner, 0) "
					+ "ON CONFLICT (owner) DO NOTHING";
			case H2 -> "INSERT INTO tenant_usage (owner, settled_bytes) SELECT CAST(:owner AS VARCHAR(200)), 0 "
					+ "WHERE NOT EXISTS (SELECT 1 FROM tenant_usage WHERE owner = :owner)";
		};
		return this.sql.sql(insert)
			.bind("owner", owner)
			.then()
			// On H2: another submission of the same new tenant made it first.
			.onErrorResume(DataIntegrityViolationException.class, (ex) -> Mono.empty());
	}

	private static long number(Readable row, String column) {
		Long value = nullableLong(row, column);
		return (value != null) ? value : 0;
	}

	private static @Nullable Long nullableLong(Readable row, String column) {
		Number value = row.get(column, Number.class);
		return (value != null) ? value.longValue() : null;
	}

	private record Read(TenantUsage usage, boolean rowExists) {
	}

	private record Owned(String owner, long bytes) {
	}

	private record Deleted(String owner, long bytes, boolean settled) {
	}

}
