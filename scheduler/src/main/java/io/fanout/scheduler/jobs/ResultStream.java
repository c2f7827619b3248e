package io.fanout.scheduler.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.StreamedResult;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One live stream of a job's results, from a cursor (a storage position) on, as rounds that are
 * repeated until the job has ended and every result was delivered:
 * <ul>
 * <li>while the job runs on this instance, a round follows the {@link ResultFeed}: it starts following,
 * catches up from the database (what was stored before), then delivers what the worker writes,
 * without a database read, until the run ends here or the client falls behind;</li>
 * <li>otherwise a round reads the database once, then waits: {@code pollInterval} after new results,
 * twice the last wait (up to {@code maxPollInterval}) after none, and not at all when the read was
 * cut short by its limits. A wait ends early when the job starts running here.</li>
 * </ul>
 * A job ends in the transaction that stores its last results, so once a read finds it finished with
 * every result delivered, the stream completes. Results are delivered once each, in storage order.
 */
final class ResultStream {

	private final JobRepository jobs;

	private final ResultFeed feed;

	private final UUID jobId;

	private final Supplier<Mono<Job>> job;

	private final Settings settings;

	private final boolean withBodies;

	/** Results delivered: the storage position of the next one (0-based). */
	private int cursor;

	private Duration idleWait;

	private boolean finished;

	ResultStream(JobRepository jobs, ResultFeed feed, UUID jobId, Supplier<Mono<Job>> job, Settings settings,
			int after, boolean withBodies) {
		this.jobs = jobs;
		this.feed = feed;
		this.jobId = jobId;
		this.job = job;
		this.settings = settings;
		this.cursor = after;
		this.withBodies = withBodies;
		this.idleWait = settings.pollInterval();
	}

	/**
	 * How streams read: the page limits of each database read and the polling backoff.
	 *
	 * @param pageSize most results per read
	 * @param maxPageBytes most bytes per read, past its first result; also what a feed follower may hold
	 * @param pollInterval the first wait between reads, and the wait after new results
	 * @param maxPollInterval the longest wait between reads
	 */
	record Settings(int pageSize, long maxPageBytes, Duration pollInterval, Duration maxPollInterval) {
	}

	Flux<StreamedResult> results() {
		// repeat, not recursion: a stream that lives for hours must not nest a round in the one before.
		return Flux.defer(this::round).repeat(() -> !this.finished);
	}

	private Flux<StreamedResult> round() {
		ResultFeed.Follower follower = this.feed.follow(this.jobId, 2 * this.settings.pageSize(),
				this.settings.maxPageBytes(), this.withBodies);
		if (follower == null) {
			return poll();
		}
		return catchUp().concatWith(Flux.defer(() -> this.finished ? Flux.empty() : follower.results(this.cursor))
			.doOnNext(this::delivered)
			// Fell behind: the next round catches up from the database.
			.onErrorResume(ResultFeed.Interrupted.class, (ex) -> Flux.empty()))
			.doFinally((signal) -> follower.cancel());
	}

	/** Reads until a read is not cut short: what the database has now, from the cursor. */
	private Flux<StreamedResult> catchUp() {
		return read().expand((step) -> (step.more() && !this.finished) ? read() : Mono.empty())
			.concatMapIterable(Step::results);
	}

	private Flux<StreamedResult> poll() {
		return read().flatMapMany((step) -> {
			Flux<StreamedResult> results = Flux.fromIterable(step.results());
			if (this.finished || step.more()) {
				return results;
			}
			Duration wait;
			if (!step.results().isEmpty()) {
				this.idleWait = this.settings.pollInterval();
				wait = this.idleWait;
			}
			else {
				wait = this.idleWait;
				Duration doubled = this.idleWait.multipliedBy(2);
				this.idleWait = (doubled.compareTo(this.settings.maxPollInterval()) > 0)
						? this.settings.maxPollInterval() : doubled;
			}
			return results.concatWith(Mono.delay(wait).then().or(this.feed.whenOpened(this.jobId))
				.then(Mono.<StreamedResult>empty()));
		});
	}

	/**
	 * Reads the job's status, then its results stored from the cursor on, and moves the cursor past
	 * them. The status is read first: if it is terminal, the results read after it are all there are.
	 */
	private Mono<Step> read() {
		return Mono.defer(() -> this.job.get()
			.flatMap((job) -> this.jobs
				.resultsInStoredOrder(this.jobId, this.cursor, this.settings.pageSize(), this.settings.maxPageBytes(),
						this.withBodies)
				.map((stored) -> {
					List<JobResult> found = stored.results();
					int first = this.cursor;
					List<StreamedResult> results = new ArrayList<>(found.size());
					for (int i = 0; i < found.size(); i++) {
						results.add(new StreamedResult(first + i + 1, found.get(i)));
					}
					this.cursor = first + found.size();
					if (job.isFinished() && !stored.more() && this.cursor >= job.progress().done()) {
						this.finished = true;
					}
					return new Step(results, stored.more());
				})));
	}

	private void delivered(StreamedResult result) {
		this.cursor = Math.max(this.cursor, result.position());
	}

	private record Step(List<StreamedResult> results, boolean more) {
	}

}
