package io.fanout.scheduler.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.StreamedResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gives a rerun's results the index of their request in the job it reruns. A page reads the source
 * indexes of its own results; a stream reads them a chunk at a time and keeps the last few chunks,
 * so that memory stays proportional to what is being read, not to the rerun.
 */
final class RerunSources {

	/** Chunks a stream keeps: results stream roughly in index order, a window of a few chunks wide. */
	private static final int CHUNKS_KEPT = 4;

	private final JobRepository jobs;

	private final UUID rerunId;

	RerunSources(JobRepository jobs, UUID rerunId) {
		this.jobs = jobs;
		this.rerunId = rerunId;
	}

	/** The page, each result with its source index. */
	Mono<ResultPage> page(ResultPage page) {
		List<Integer> indexes = page.items().stream().map(JobResult::index).toList();
		return this.jobs.sourceIndexes(this.rerunId, indexes)
			.map((sources) -> new ResultPage(page.items().stream().map((result) -> withSource(result, sources)).toList(),
					page.nextCursor()));
	}

	/** The stream, each result with its source index, in the same order. */
	Flux<StreamedResult> stream(Flux<StreamedResult> results) {
		return Flux.defer(() -> {
			Map<Integer, Map<Integer, Integer>> kept = new LinkedHashMap<>(CHUNKS_KEPT, 0.75f, true) {
				@Override
				protected boolean removeEldestEntry(Map.Entry<Integer, Map<Integer, Integer>> eldest) {
					return size() > CHUNKS_KEPT;
				}
			};
			// One at a time, in order: the map is only touched from the one result in progress.
			return results.concatMap((streamed) -> chunkOf(streamed.result().index(), kept)
				.map((sources) -> new StreamedResult(streamed.position(), withSource(streamed.result(), sources))));
		});
	}

	private Mono<Map<Integer, Integer>> chunkOf(int index, Map<Integer, Map<Integer, Integer>> kept) {
		int chunk = index / SourceIndexes.CHUNK;
		Map<Integer, Integer> found = kept.get(chunk);
		if (found != null) {
			return Mono.just(found);
		}
		List<Integer> indexes = IntStream.range(chunk * SourceIndexes.CHUNK, (chunk + 1) * SourceIndexes.CHUNK)
			.boxed()
			.toList();
		return this.jobs.sourceIndexes(this.rerunId, indexes).doOnNext((sources) -> kept.put(chunk, sources));
	}

	private static JobResult withSource(JobResult result, Map<Integer, Integer> sources) {
		Integer source = sources.get(result.index());
		return (source != null) ? result.withSourceIndex(source) : result;
	}

}
