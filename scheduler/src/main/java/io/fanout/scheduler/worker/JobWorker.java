package io.fanout.scheduler.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.ClaimedJob;
import io.fanout.scheduler.jobs.JobQueue;
import io.fanout.scheduler.jobs.ResultFeed;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.SmartLifecycle;

/**
 * Runs queued jobs on this node, at most {@code max-concurrent-jobs} at once.
 * <p>
 * Three loops, none of which blocks a thread:
 * <ul>
 * <li>the queue loop, every {@code poll-interval} and whenever a slot frees or a job is submitted
 * here: requeues jobs whose lease expired (their node died), then claims queued jobs for the free
 * slots and starts them;</li>
 * <li>the heartbeat, every {@code cancel-check-interval}: stops runs whose cancellation was
 * requested (on any replica) or whose deadline passed, and renews leases every
 * {@code lease-renew-interval}; a lease that cannot be renewed stops its run;</li>
 * <li>housekeeping, every {@code purge-interval}: deletes jobs past {@code retention}.</li>
 * </ul>
 * Time comes from the injected {@link Clock}: tests move it instead of waiting. On shutdown the node
 * stops claiming, lets its jobs run for up to {@code shutdown-grace-period}, then releases the rest
 * to the queue for another node.
 */
public final class JobWorker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(JobWorker.class);

	private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

	private final JobQueue queue;

	private final FetchClient fetchClient;

	private final SchedulerProperties properties;

	private final Clock clock;

	private final MemoryBudget memory;

	private final ResultFeed feed;

	private final JobTelemetry telemetry;

	private final String nodeId;

	private final QuotaProperties quotas;

	private final Map<UUID, JobRun> running = new ConcurrentHashMap<>();

	private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();

	private final AtomicBoolean wakeRequested = new AtomicBoolean();

	private volatile boolean accepting;

	private volatile boolean started;

	private volatile Disposable.Composite loops = Disposables.composite();

	private volatile Disposable queueLoop = Disposables.disposed();

	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			String nodeId) {
		this(queue, fetchClient, properties, clock, MemoryBudget.UNLIMITED, nodeId);
	}

	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, String nodeId) {
		this(queue, fetchClient, properties, clock, memory, new ResultFeed(), nodeId);
	}

	/**
	 * @param memory the process's budget of body bytes, shared with the fetch client: results waiting
	 * to be written count in it
	 * @param feed opened for each job while it runs here (the queue publishes its results to it), so that
	 * streams of the job follow it without reading the database
	 */
	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, ResultFeed feed, String nodeId) {
		this(queue, fetchClient, properties, clock, memory, QuotaProperties.defaults(), feed, nodeId);
	}

	/** @param quotas each owner's requests-in-flight quota, passed to the fetch client with its jobs */
	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, QuotaProperties quotas, String nodeId) {
		this(queue, fetchClient, properties, clock, memory, quotas, new ResultFeed(), nodeId);
	}

	/**
	 * @param memory the process's budget of body bytes, shared with the fetch client: results waiting
	 * to be written count in it
	 * @param quotas each owner's requests-in-flight quota, passed to the fetch client with its jobs
	 * @param feed opened for each job while it runs here (the queue publishes its results to it), so that
	 * streams of the job follow it without reading the database
	 */
	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, QuotaProperties quotas, ResultFeed feed, String nodeId) {
		this(queue, fetchClient, properties, clock, memory, quotas, feed, JobTelemetry.none(), nodeId);
	}

	/** @param telemetry where it records queue waits, job ends and result writes, and traces job runs */
	public JobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties, Clock clock,
			MemoryBudget memory, QuotaProperties quotas, ResultFeed feed, JobTelemetry telemetry, String nodeId) {
		this.telemetry = telemetry;
		this.quotas = quotas;
		this.queue = queue;
		this.fetchClient = fetchClient;
		this.properties = properties;
		this.clock = clock;
		this.memory = memory;
		this.feed = feed;
		this.nodeId = nodeId;
	}

	/** The lease owner name of this node. */
	public String nodeId() {
		return this.nodeId;
	}

	/** Jobs running on this node now. */
	public int runningJobs() {
		return this.running.size();
	}

	/** Asks for the queue to be looked at now rather than at the next poll. */
	public void wakeUp() {
		this.wakeRequested.set(true);
		this.wakeUps.tryEmitNext(Boolean.TRUE);
	}

	@Override
	public void start() {
		if (this.started) {
			return;
		}
		this.accepting = true;
		this.started = true;
		Disposable.Composite loops = Disposables.composite();
		this.queueLoop = Flux.merge(Flux.interval(Duration.ZERO, this.properties.pollInterval()), this.wakeUps.asFlux())
			.onBackpressureDrop()
			.concatMap((tick) -> pollUntilQuiet(), 1)
			.subscribe();
		loops.add(Flux.interval(this.properties.cancelCheckInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> checkRunningJobs().onErrorResume((ex) -> {
				logger.warn("Checking running jobs on node " + this.nodeId + " failed: " + ex);
				return Mono.empty();
			}), 1)
			.subscribe());
		loops.add(Flux.interval(Duration.ZERO, this.properties.purgeInterval())
			.onBackpressureDrop()
			.concatMap((tick) -> purgeExpired().onErrorResume((ex) -> {
				logger.warn("Purging expired jobs failed: " + ex);
				return Mono.empty();
			}), 1)
			.subscribe());
		this.loops = loops;
		logger.info("Job worker " + this.nodeId + " started: up to " + this.properties.maxConcurrentJobs()
				+ " concurrent jobs");
	}

	/** Stops without waiting; see {@link #stop(Runnable)}. */
	@Override
	public void stop() {
		stop(() -> {
		});
	}

	/**
	 * Stops claiming, gives running jobs {@code shutdown-grace-period} to finish, releases the rest
	 * to the queue, then calls back. Never blocks the calling thread.
	 */
	@Override
	public void stop(Runnable callback) {
		if (!this.started) {
			callback.run();
			return;
		}
		this.accepting = false;
		this.queueLoop.dispose();
		List<JobRun> runs = new ArrayList<>(this.running.values());
		if (!runs.isEmpty()) {
			logger.info("Job worker " + this.nodeId + " stopping; waiting up to "
					+ this.properties.shutdownGracePeriod().toMillis() + " ms for " + runs.size() + " running job(s)");
		}
		Mono.when(runs.stream().map(JobRun::whenDone).toList())
			.timeout(this.properties.shutdownGracePeriod(), Mono.defer(() -> {
				List<JobRun> left = new ArrayList<>(this.running.values());
				left.forEach((run) -> run.stop(JobRun.StopReason.SHUTDOWN));
				return Mono.when(left.stream().map(JobRun::whenDone).toList())
					.timeout(RELEASE_TIMEOUT, Mono.empty());
			}))
			.doFinally((signal) -> {
				this.loops.dispose();
				this.started = false;
				callback.run();
			})
			.subscribe();
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	/**
	 * Looks at the queue once: requeues jobs whose lease expired, then claims and starts queued jobs
	 * for the free slots.
	 * @return how many jobs were started
	 */
	public Mono<Integer> pollQueue() {
		if (!this.accepting) {
			return Mono.just(0);
		}
		return this.queue.requeueExpired(this.clock.instant()).doOnNext((requeued) -> {
			if (requeued > 0) {
				logger.info("Requeued " + requeued + " job(s) whose lease expired");
			}
		}).then(Mono.defer(() -> {
			int free = this.properties.maxConcurrentJobs() - this.running.size();
			if (free <= 0 || !this.accepting) {
				return Mono.just(0);
			}
			Instant now = this.clock.instant();
			// A claim runs to its end even when the loop is disposed (a stop): jobs it has leased to this
			// node are then launched, or released at once, rather than left leased until the lease expires.
			Mono<Integer> claiming = this.queue.claim(this.nodeId, free, now, now.plus(this.properties.leaseDuration()))
				.doOnNext((claimed) -> launch(claimed, now))
				.count()
				.map(Long::intValue)
				.cache();
			claiming.subscribe(null, (ex) -> {
				// Reported through the loop's own subscription.
			});
			return claiming;
		}));
	}

	/**
	 * Checks this node's running jobs once: stops those whose cancellation was requested or whose
	 * deadline passed, and renews due leases, stopping the runs whose lease is lost.
	 */
	public Mono<Void> checkRunningJobs() {
		if (this.running.isEmpty()) {
			return Mono.empty();
		}
		Instant now = this.clock.instant();
		this.running.values().forEach((run) -> {
			if (run.isPastDeadline(now)) {
				run.stop(JobRun.StopReason.DEADLINE);
			}
		});
		Mono<Void> cancellations = this.queue.findCancelRequested(this.nodeId).doOnNext((jobId) -> {
			JobRun run = this.running.get(jobId);
			if (run != null) {
				run.stop(JobRun.StopReason.CANCEL);
			}
		}).then().onErrorResume((ex) -> {
			// The leases are still worth renewing: the database may be back by then.
			logger.warn("Looking for cancelled jobs on node " + this.nodeId + " failed: " + ex);
			return Mono.empty();
		});
		Mono<Void> renewals = Flux.fromIterable(new ArrayList<>(this.running.values()))
			.filter((run) -> run.isRenewalDue(now))
			.concatMap((run) -> this.queue.renew(run.fence(), now.plus(this.properties.leaseDuration()))
				.doOnNext((renewed) -> {
					if (renewed) {
						run.leaseRenewed(now);
					}
					else {
						run.stop(JobRun.StopReason.LEASE_LOST);
					}
				})
				.onErrorResume((ex) -> {
					logger.warn("Renewing the lease of job " + run.jobId() + " failed: " + ex);
					if (run.hasLeaseExpired(now)) {
						// Another node may have taken the job over by now: stop this copy.
						run.stop(JobRun.StopReason.LEASE_LOST);
					}
					return Mono.empty();
				}))
			.then();
		return cancellations.then(renewals);
	}

	/**
	 * Deletes the jobs that finished more than {@code retention} ago, with their results, in batches
	 * of {@code purge-batch-size}.
	 * @return how many jobs were deleted
	 */
	public Mono<Integer> purgeExpired() {
		Instant cutoff = this.clock.instant().minus(this.properties.retention());
		int batchSize = this.properties.purgeBatchSize();
		return this.queue.purgeFinishedBefore(cutoff, batchSize)
			.expand((deleted) -> (deleted == batchSize) ? this.queue.purgeFinishedBefore(cutoff, batchSize)
					: Mono.empty())
			.reduce(0, Integer::sum)
			.doOnNext((deleted) -> {
				if (deleted > 0) {
					logger.info("Purged " + deleted + " job(s) finished before " + cutoff);
				}
			});
	}

	private Flux<Integer> pollUntilQuiet() {
		this.wakeRequested.set(false);
		// A wake-up that arrives while the queue is being looked at asks for one more look.
		return Mono.defer(this::pollQueue)
			.onErrorResume((ex) -> {
				logger.warn("Polling the job queue on node " + this.nodeId + " failed: " + ex);
				return Mono.just(0);
			})
			.repeat(() -> this.accepting && this.wakeRequested.getAndSet(false));
	}

	private void launch(ClaimedJob claimed, Instant claimedAt) {
		if (!this.accepting) {
			// Claimed while this node began to stop: back to the queue now, for another node to take.
			this.queue.release(claimed.fence()).subscribe((released) -> logger.info("Released job "
					+ claimed.job().id() + ", claimed as node " + this.nodeId + " began to stop"),
					(ex) -> logger.warn("Could not release job " + claimed.job().id() + " claimed during shutdown: " + ex));
			return;
		}
		this.telemetry.claimed(claimed.job(), claimedAt);
		JobRun run = new JobRun(claimed, this.queue, this.fetchClient, this.properties, this.clock, this.memory,
				claimedAt, this.quotas.of(claimed.job().owner()).requestsInFlight(), this.telemetry);
		UUID jobId = claimed.job().id();
		this.running.put(jobId, run);
		this.feed.open(jobId);
		if (logger.isDebugEnabled()) {
			logger.debug("Node " + this.nodeId + " claimed job " + jobId + " (attempt " + claimed.fence().attempt()
					+ ")");
		}
		run.execute().doFinally((signal) -> {
			// After the run's last write: followers complete and read what is left from the database.
			this.feed.close(jobId);
			this.running.remove(jobId);
			wakeUp();
		}).subscribe();
	}

}
