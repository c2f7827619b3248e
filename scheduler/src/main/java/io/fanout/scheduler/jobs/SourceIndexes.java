package io.fanout.scheduler.jobs;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

import static io.fanout.scheduler.r2dbc.Sql.required;

/**
 * A rerun's source indexes: for each of its requests, the index of that request in the job it
 * reruns. Stored {@value #CHUNK} to a row of {@code job_source_chunks}, 4 bytes each, so that a page
 * of results reads the rows of the results it shows, whatever the rerun's size. Reruns stored before
 * V17 hold them as one text value in {@code job_specs}, which is read whole, as it always was.
 */
final class SourceIndexes {

	/** Source indexes per stored row. */
	static final int CHUNK = 1000;

	private final DatabaseClient sql;

	SourceIndexes(DatabaseClient sql) {
		this.sql = sql;
	}

	/** Inserts a rerun's source indexes, one statement per chunk, in the caller's transaction. */
	Mono<Void> insert(UUID jobId, List<Integer> sources) {
		return Flux.range(0, (sources.size() + CHUNK - 1) / CHUNK)
			.concatMap((chunk) -> this.sql
				.sql("INSERT INTO job_source_chunks (job_id, chunk, indexes) VALUES (:id, :chunk, :indexes)")
				.bind("id", jobId)
				.bind("chunk", chunk)
				.bind("indexes", encode(sources.subList(chunk * CHUNK, Math.min(sources.size(), (chunk + 1) * CHUNK))))
				.then())
			.then();
	}

	/**
	 * The source index of each of these indexes of the job that has one: none for a job that is no
	 * rerun, or for an index it does not have.
	 */
	Mono<Map<Integer, Integer>> of(UUID jobId, Collection<Integer> indexes) {
		if (indexes.isEmpty()) {
			return Mono.just(Map.of());
		}
		TreeSet<Integer> chunks = new TreeSet<>();
		indexes.forEach((index) -> chunks.add(index / CHUNK));
		return this.sql.sql("SELECT chunk, indexes FROM job_source_chunks WHERE job_id = :id AND chunk IN (:chunks)")
			.bind("id", jobId)
			.bind("chunks", List.copyOf(chunks))
			.map((row) -> new Chunk(required(row, "chunk", Integer.class), required(row, "indexes", byte[].class)))
			.all()
			.collectMap(Chunk::number, Chunk::indexes)
			.flatMap((found) -> found.isEmpty() ? ofText(jobId, indexes) : Mono.just(pick(found, indexes)));
	}

	private static Map<Integer, Integer> pick(Map<Integer, byte[]> chunks, Collection<Integer> indexes) {
		Map<Integer, Integer> sources = new HashMap<>();
		for (int index : indexes) {
			byte[] chunk = chunks.get(index / CHUNK);
			int offset = (index % CHUNK) * Integer.BYTES;
			if (chunk != null && offset + Integer.BYTES <= chunk.length) {
				sources.put(index, ByteBuffer.wrap(chunk, offset, Integer.BYTES).getInt());
			}
		}
		return sources;
	}

	/** A rerun stored before V17: its source indexes as one text value, comma-separated. */
	private Mono<Map<Integer, Integer>> ofText(UUID jobId, Collection<Integer> indexes) {
		return this.sql.sql("SELECT source_indexes FROM job_specs WHERE job_id = :id AND source_indexes IS NOT NULL")
			.bind("id", jobId)
			.map((row) -> required(row, "source_indexes", String.class))
			.one()
			.map((text) -> pick(text, indexes))
			.defaultIfEmpty(Map.of());
	}

	/**
	 * The sources at these indexes of the text, read up to the last one wanted: a split of the whole
	 * text made a string and a number for each of a million sources, for every page that read it.
	 */
	private static Map<Integer, Integer> pick(String text, Collection<Integer> indexes) {
		TreeSet<Integer> wanted = new TreeSet<>(indexes);
		Map<Integer, Integer> found = new HashMap<>();
		int position = 0;
		int start = 0;
		for (int i = 0; !text.isEmpty() && i <= text.length() && !wanted.isEmpty(); i++) {
			if (i == text.length() || text.charAt(i) == ',') {
				if (wanted.remove(position)) {
					found.put(position, Integer.parseInt(text, start, i, 10));
				}
				position++;
				start = i + 1;
			}
		}
		return found;
	}

	private static byte[] encode(List<Integer> sources) {
		ByteBuffer bytes = ByteBuffer.allocate(sources.size() * Integer.BYTES);
		sources.forEach(bytes::putInt);
		return bytes.array();
	}

	private record Chunk(int number, byte[] indexes) {
	}

}
