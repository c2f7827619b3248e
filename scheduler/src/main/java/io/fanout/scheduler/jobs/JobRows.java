package io.fanout.scheduler.jobs;

import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobProgress;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.r2dbc.SpecCodec;
import io.fanout.scheduler.r2dbc.SpecCodec.StoredSpec;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

import static io.fanout.scheduler.jobs.JobSql.countColumn;
import static io.fanout.scheduler.r2dbc.Sql.instant;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.requiredInstant;

/** Jobs, specs and results as rows: the one place that maps them, for both job stores. */
final class JobRows {

	private final SpecCodec codec;

	JobRows(SpecCodec codec) {
		this.codec = codec;
	}

	SpecCodec codec() {
		return this.codec;
	}

	/** A job from {@link JobSql#JOB_COLUMNS}. */
	Job job(Readable row) {
		Map<OutcomeKind, Integer> counts = new EnumMap<>(OutcomeKind.class);
		for (OutcomeKind kind : OutcomeKind.values()) {
			counts.put(kind, required(row, countColumn(kind), Integer.class));
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
				row.get("idempotency_key", String.class), row.get("schedule_id", UUID.class), instant(row, "not_before"),
				row.get("rerun_of", UUID.class));
	}

	/**
	 * The stored spec from {@link JobSql#SPEC_COLUMNS}: compressed, or as text if it was stored before
	 * V3. Its requests are stored apart unless it was stored before V15 ({@link StoredSpec#chunked()}).
	 */
	StoredSpec spec(Readable row) {
		byte[] compressed = row.get("spec_gzip", byte[].class);
		return (compressed != null) ? this.codec.readSpec(compressed)
				: this.codec.readSpec(required(row, "spec", String.class));
	}

	/** A result from {@link JobSql#RESULT_COLUMNS}. */
	JobResult result(Readable row) {
		return result(row, true);
	}

	/**
	 * A result from {@link JobSql#RESULT_COLUMNS}, or from {@link JobSql#RESULT_COLUMNS_WITHOUT_BODY}
	 * without its body.
	 */
	JobResult result(Readable row, boolean withBody) {
		String errorKind = row.get("error_kind", String.class);
		FetchError error = (errorKind != null)
				? new FetchError(ErrorKind.valueOf(errorKind), row.get("error_message", String.class)) : null;
		return new JobResult(required(row, "job_id", UUID.class), required(row, "idx", Integer.class),
				required(row, "method", String.class), URI.create(required(row, "url", String.class)),
				OutcomeKind.valueOf(required(row, "outcome", String.class)), row.get("http_status", Integer.class),
				required(row, "attempts", Integer.class), requiredInstant(row, "started_at"),
				Duration.ofNanos(required(row, "duration_us", Long.class) * 1000),
				withBody ? row.get("body", String.class) : null,
				required(row, "body_size", Long.class), this.codec.readExtracted(row.get("extracted", String.class)),
				error);
	}

	/** How many of the job's results are stored, from {@link JobSql#COUNT_COLUMNS}. */
	static int written(Readable row) {
		int written = 0;
		for (OutcomeKind kind : OutcomeKind.values()) {
			written += required(row, countColumn(kind), Integer.class);
		}
		return written;
	}

}
