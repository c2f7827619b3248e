package io.fanout.scheduler.jobs;

import java.util.Map;
import java.util.UUID;

import io.fanout.scheduler.CompactRequests;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.r2dbc.SpecCodec.StoredSpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

import static io.fanout.scheduler.r2dbc.Sql.required;

/**
 * A job's requests in {@code job_request_chunks}: one row per chunk of its {@link CompactRequests},
 * written with the job and read back whole when a spec is needed (a claim, a rerun, a cancel).
 */
final class RequestChunks {

	private final DatabaseClient sql;

	RequestChunks(DatabaseClient sql) {
		this.sql = sql;
	}

	/** Inserts the chunks, one statement each, in the caller's transaction. */
	Mono<Void> insert(UUID jobId, CompactRequests requests) {
		return Flux.range(0, requests.chunks().size())
			.concatMap((chunk) -> this.sql
				.sql("INSERT INTO job_request_chunks (job_id, chunk, requests) VALUES (:id, :chunk, :requests)")
				.bind("id", jobId)
				.bind("chunk", chunk)
				.bind("requests", requests.chunks().get(chunk))
				.then())
			.then();
	}

	/** The job's spec: {@code stored} and, unless it holds them, its requests read from their chunks. */
	Mono<JobSpec> spec(UUID jobId, StoredSpec stored, @Nullable String name, Map<String, String> labels,
			int priority) {
		if (!stored.chunked()) {
			return Mono.fromSupplier(() -> stored.toSpec(name, labels, priority));
		}
		return this.sql.sql("SELECT requests FROM job_request_chunks WHERE job_id = :id ORDER BY chunk")
			.bind("id", jobId)
			.map((row) -> required(row, "requests", byte[].class))
			.all()
			.collectList()
			.map((chunks) -> stored.toSpec(name, labels, priority, chunks));
	}

}
