package io.fanout.scheduler.jobs;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.StreamedResult;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The results of the jobs running on this instance, handed to the live streams that follow them as
 * soon as they are written: a stream of a job running here costs no database reads while it waits.
 * <p>
 * The worker {@linkplain #open opens} a job's feed when it starts running it and {@linkplain #close
 * closes} it when the run has ended (its last results written); the queue {@linkplain #publish
 * publishes} each batch once its transaction has committed, so only stored results are fed. Each
 * follower holds what it has not delivered yet in a buffer bounded in results and bytes: a client
 * that falls further behind is dropped from the feed ({@link Interrupted}) and catches up from the
 * database, from its cursor. Nothing here blocks or waits.
 */
public final class ResultFeed {

	private final Map<UUID, Channel> channels = new ConcurrentHashMap<>();

	private final Sinks.Many<UUID> opened = Sinks.many().multicast().directBestEffort();

	/** The job started running here: its results will be published until {@link #close}. */
	public void open(UUID jobId) {
		this.channels.computeIfAbsent(jobId, (id) -> new Channel());
		synchronized (this.opened) {
			this.opened.tryEmitNext(jobId);
		}
	}

	/** The job's run here has ended, its results all written: its followers complete. */
	public void close(UUID jobId) {
		Channel channel = this.channels.remove(jobId);
		if (channel != null) {
			channel.close();
		}
	}

	/** Whether the job runs on this instance. */
	public boolean isOpen(UUID jobId) {
		return this.channels.containsKey(jobId);
	}

	/** Completes when the job starts running on this instance (never, if it does not). */
	public Mono<Void> whenOpened(UUID jobId) {
		return this.opened.asFlux().filter(jobId::equals).next().then();
	}

	/**
	 * Hands results just committed to the job's followers, if it has any.
	 * @param firstSeq the storage position (0-based) of the first of them; the rest follow it
	 */
	public void publish(UUID jobId, int firstSeq, List<JobResult> results) {
		Channel channel = this.channels.get(jobId);
		if (channel != null && !results.isEmpty()) {
			channel.publish(new Batch(firstSeq, List.copyOf(results)));
		}
	}

	/**
	 * Starts following a job that runs here: every batch published from now on is kept for the
	 * follower, within its bounds, until {@link Follower#results} delivers it.
	 * @param maxResults most results held undelivered
	 * @param maxBytes most bytes of results held undelivered, about
	 * @param withBodies whether to keep bodies; without, they are dropped as batches arrive
	 * @return the follower, or null if the job does not run here
	 */
	public @Nullable Follower follow(UUID jobId, int maxResults, long maxBytes, boolean withBodies) {
		Channel channel = this.channels.get(jobId);
		if (channel == null) {
			return null;
		}
		Follower follower = new Follower(channel, maxResults, maxBytes, withBodies);
		return channel.add(follower) ? follower : null;
	}

	/** Followers of the job now. */
	int followers(UUID jobId) {
		Channel channel = this.channels.get(jobId);
		return (channel != null) ? channel.followers.size() : 0;
	}

	/** What a result weighs in a follower's buffer, about: as {@link JobSql#RESULT_COST} counts it. */
	static long cost(JobResult result) {
		String body = result.body();
		String message = (result.error() != null) ? result.error().message() : null;
		return JobSql.RESULT_OVERHEAD_BYTES + result.url().toString().length() + ((body != null) ? body.length() : 0)
				+ ((message != null) ? message.length() : 0);
	}

	/**
	 * A follower's delivery stopped before the job's run ended here: it fell too far behind, or
	 * missed results. Its stream goes on from the database.
	 */
	public static final class Interrupted extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Interrupted(String message) {
			super(message, null, false, false);
		}

	}

	/** Results written together: the first at storage position {@code firstSeq}, the rest after it. */
	private record Batch(int firstSeq, List<JobResult> results) {
	}

	/** A batch held by a follower, and what it counts for in the follower's bounds. */
	private record Held(Batch batch, long bytes) {
	}

	/** One job's followers. Publishing and closing are serialized, so each follower sees one order. */
	private static final class Channel {

		private final Set<Follower> followers = ConcurrentHashMap.newKeySet();

		private boolean closed;

		synchronized boolean add(Follower follower) {
			if (this.closed) {
				return false;
			}
			this.followers.add(follower);
			return true;
		}

		void remove(Follower follower) {
			this.followers.remove(follower);
		}

		synchronized void publish(Batch batch) {
			for (Follower follower : this.followers) {
				follower.offer(batch);
			}
		}

		synchronized void close() {
			this.closed = true;
			for (Follower follower : this.followers) {
				follower.sink.tryEmitComplete();
			}
			this.followers.clear();
		}

	}

	/** One stream's place in a job's feed. */
	public static final class Follower {

		private final Channel channel;

		private final int maxResults;

		private final long maxBytes;

		private final boolean withBodies;

		private final Sinks.Many<Held> sink = Sinks.many().unicast().onBackpressureBuffer();

		private final AtomicInteger heldResults = new AtomicInteger();

		private final AtomicLong heldBytes = new AtomicLong();

		private Follower(Channel channel, int maxResults, long maxBytes, boolean withBodies) {
			this.channel = channel;
			this.maxResults = maxResults;
			this.maxBytes = maxBytes;
			this.withBodies = withBodies;
		}

		/**
		 * The results fed from storage position {@code next} (0-based) on: those of earlier positions,
		 * already delivered from the database, are skipped. Completes when the job's run here has
		 * ended; fails with {@link Interrupted} when this follower fell behind or a batch would leave a
		 * gap. Subscribe once.
		 */
		public Flux<StreamedResult> results(int next) {
			AtomicInteger cursor = new AtomicInteger(next);
			return this.sink.asFlux().concatMap((held) -> {
				Batch batch = held.batch();
				int from = cursor.get();
				if (batch.firstSeq() > from) {
					release(held);
					return Flux.error(new Interrupted("results " + from + " to " + (batch.firstSeq() - 1)
							+ " were not fed"));
				}
				List<JobResult> results = batch.results();
				int skip = Math.min(results.size(), from - batch.firstSeq());
				cursor.set(Math.max(from, batch.firstSeq() + results.size()));
				List<JobResult> fresh = results.subList(skip, results.size());
				int position = batch.firstSeq() + skip;
				return Flux.range(0, fresh.size())
					.map((i) -> new StreamedResult(position + i + 1, fresh.get(i)))
					// The batch counts against the bounds until the client has taken all of it.
					.doFinally((signal) -> release(held));
			}, 1).doFinally((signal) -> cancel());
		}

		/** Stops following; what is held is let go. */
		public void cancel() {
			this.channel.remove(this);
			this.sink.tryEmitComplete();
		}

		private void offer(Batch batch) {
			Batch kept = this.withBodies ? batch : withoutBodies(batch);
			long bytes = 0;
			for (JobResult result : kept.results()) {
				bytes += cost(result);
			}
			int results = this.heldResults.addAndGet(kept.results().size());
			long total = this.heldBytes.addAndGet(bytes);
			if (results > this.maxResults || total > this.maxBytes) {
				this.channel.remove(this);
				this.sink.tryEmitError(new Interrupted("the client fell behind the job's results"));
				return;
			}
			this.sink.tryEmitNext(new Held(kept, bytes));
		}

		private void release(Held held) {
			this.heldResults.addAndGet(-held.batch().results().size());
			this.heldBytes.addAndGet(-held.bytes());
		}

		private static Batch withoutBodies(Batch batch) {
			List<JobResult> stripped = batch.results()
				.stream()
				.map((r) -> (r.body() == null) ? r
						: new JobResult(r.jobId(), r.index(), r.method(), r.url(), r.outcome(), r.httpStatus(),
								r.attempts(), r.startedAt(), r.duration(), null, r.bodySize(), r.extracted(),
								r.error()))
				.toList();
			return new Batch(batch.firstSeq(), stripped);
		}

	}

}
