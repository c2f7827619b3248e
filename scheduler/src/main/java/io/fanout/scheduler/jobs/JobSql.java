package io.fanout.scheduler.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobStatus;

/**
 * The SQL fragments the job stores share. Every status list a statement names comes from
 * {@link JobStatus}'s transition table, so that what the SQL lets through is what the table allows.
 */
final class JobSql {

	/** Jobs that may be claimed: those that may become {@code RUNNING}. */
	static final String CLAIMABLE = statusIn(JobStatus.from(JobStatus.RUNNING));

	/**
	 * Claimable jobs whose start time has come by {@code :now}, the claiming worker's clock (never the
	 * database's, so that an injected clock decides, and replicas agree within their clocks' skew).
	 */
	static final String DUE = "(not_before IS NULL OR not_before <= :now)";

	/** Jobs that may be requeued: those that may become {@code QUEUED}. */
	static final String REQUEUEABLE = statusIn(JobStatus.from(JobStatus.QUEUED));

	/** Jobs whose cancellation may be asked for: those that may become {@code CANCELLED}. */
	static final String CANCELLABLE = statusIn(JobStatus.from(JobStatus.CANCELLED));

	/** Jobs that will never change again. */
	static final String FINISHED = statusIn(JobStatus.terminal());

	/**
	 * The condition of every write on behalf of a running job: the job is still held by this owner
	 * and attempt. {@code RUNNING} is the one status that such a write, and a finish, moves from.
	 */
	static final String FENCE = "id = :id AND lease_owner = :node AND attempt = :attempt AND status = '"
			+ JobStatus.RUNNING.name() + "'";

	/** The jobs columns that count results, one per {@link OutcomeKind}, in its order. */
	static final String OUTCOME_COUNT_COLUMNS = Arrays.stream(OutcomeKind.values())
		.map(JobSql::countColumn)
		.collect(Collectors.joining(", "));

	/** Zero for each of {@link #OUTCOME_COUNT_COLUMNS}: a new job's counts. */
	static final String NO_OUTCOMES = Arrays.stream(OutcomeKind.values())
		.map((kind) -> "0")
		.collect(Collectors.joining(", "));

	static final String JOB_COLUMNS = "id, owner, name, labels, priority, status, attempt, cancel_requested, "
			+ "created_at, started_at, finished_at, deadline_ms, total, " + OUTCOME_COUNT_COLUMNS
			+ ", idempotency_key, schedule_id, error_kind, error_message, not_before, rerun_of";

	/** A result's columns but its body: what a read that was not asked for bodies selects. */
	static final String RESULT_COLUMNS_WITHOUT_BODY = "job_id, idx, seq, method, url, outcome, http_status, attempts, "
			+ "started_at, duration_us, body_size, extracted, error_kind, error_message";

	static final String RESULT_COLUMNS = RESULT_COLUMNS_WITHOUT_BODY + ", body";

	/**
	 * Bytes a result counts for in a page's byte budget, beyond its variable columns: the fixed
	 * columns and what the API adds around them, roughly.
	 */
	static final int RESULT_OVERHEAD_BYTES = 256;

	/** What a result row without its body weighs, about, in bytes. */
	static final String RESULT_COST = RESULT_OVERHEAD_BYTES + " + OCTET_LENGTH(url) + COALESCE(OCTET_LENGTH(extracted), 0)"
			+ " + COALESCE(OCTET_LENGTH(error_message), 0)";

	/** What a result row with its body weighs, about, in bytes. */
	static final String RESULT_COST_WITH_BODY = RESULT_COST + " + COALESCE(OCTET_LENGTH(body), 0)";

	static final String COUNT_COLUMNS = "total, " + OUTCOME_COUNT_COLUMNS;

	/** A job's spec, of job_specs aliased {@code s}: compressed JSON, or text in rows older than V3. */
	static final String SPEC_COLUMNS = "s.spec, s.spec_gzip";

	private JobSql() {
	}

	/**
	 * A page of a job's results in {@code order} (a unique column per job: {@code idx} or {@code seq}),
	 * at most {@code rows} candidates matching {@code where} and, past the first, no more than
	 * {@code :budget} bytes by {@link #RESULT_COST}. Each row also carries {@code candidates}: how many
	 * matched up to {@code rows}, so that fewer returned means the budget cut the page short. One
	 * statement, so one consistent view on both databases. Without bodies, the body column is not
	 * named: the database neither reads nor sends it.
	 * <p>
	 * {@code where} names one job ({@code job_id = :id ...}), and the candidates are ordered by
	 * {@code job_id} first: H2 then reads the index on ({@code job_id}, {@code order}) in order and
	 * stops after {@code rows}; ordered by {@code order} alone, it read and sorted every row of the job
	 * past the cursor for each page, so reading a job's results page by page took time quadratic in
	 * its size (measured: 100,000 results streamed in 23.7 s).
	 */
	static String resultPage(String where, String order, int rows, boolean withBodies) {
		String columns = withBodies ? RESULT_COLUMNS : RESULT_COLUMNS_WITHOUT_BODY;
		String cost = withBodies ? RESULT_COST_WITH_BODY : RESULT_COST;
		return "SELECT * FROM (SELECT c.*, SUM(c.row_cost) OVER (ORDER BY c." + order + ") AS running_cost, "
				+ "ROW_NUMBER() OVER (ORDER BY c." + order + ") AS row_no, COUNT(*) OVER () AS candidates FROM ("
				+ "SELECT " + columns + ", " + cost + " AS row_cost FROM job_results WHERE " + where
				+ " ORDER BY job_id, " + order + " LIMIT " + rows + ") c) w WHERE w.row_no = 1 "
				+ "OR w.running_cost <= :budget ORDER BY w." + order;
	}

	/** {@code status IN ('A', 'B')} for these statuses. */
	static String statusIn(Set<JobStatus> statuses) {
		if (statuses.isEmpty()) {
			throw new IllegalArgumentException("no status to list");
		}
		return statuses.stream()
			.sorted()
			.map((status) -> "'" + status.name() + "'")
			.collect(Collectors.joining(", ", "status IN (", ")"));
	}

	/** The jobs column that counts results of this kind. */
	static String countColumn(OutcomeKind kind) {
		return kind.name().toLowerCase(Locale.ROOT);
	}

}
