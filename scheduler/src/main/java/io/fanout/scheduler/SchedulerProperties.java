package io.fanout.scheduler;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the job scheduler. The database is Spring Boot's {@code spring.r2dbc.*} (and
 * {@code spring.flyway.*}); without them, an embedded H2 database in a file under {@code fanout.data-dir}.
 *
 * @param nodeId identifies this instance as a lease owner; unique per replica (defaults to the host
 * name plus a random suffix)
 * @param workerEnabled whether this instance runs jobs; an instance without workers still serves the API
 * @param maxConcurrentJobs most jobs this instance runs at once
 * @param maxQueuedJobs most jobs waiting in the queue, all owners together; submissions beyond are refused
 * @param maxRequestsPerJob most requests in one job
 * @param maxRequestBytesPerJob most bytes one job's requests take compressed, as they are stored and as
 * a worker holds them while the job runs: a worker holds up to {@code max-concurrent-jobs} times this
 * @param maxDeadline longest deadline a job may ask for
 * @param maxDelay furthest in the future a job's {@code notBefore} may be, counted from its submission
 * @param leaseDuration how long a claimed job stays with its worker without a renewal; after that,
 * another instance may take it over
 * @param leaseRenewInterval how often a worker renews the leases of its jobs; well below the lease duration
 * @param pollInterval how often an idle worker looks for queued jobs and for expired leases
 * @param cancelCheckInterval how often a worker checks its running jobs for cancellation and deadlines
 * @param resultBatchSize most results written in one batch
 * @param resultBatchInterval longest a result waits to be written while its batch fills
 * @param maxStoredBodySize largest body stored with a result; a larger one is not stored (its size
 * is), though extraction rules still ran on it
 * @param streamPollInterval how often a live result stream looks for new results in the database, when
 * the job does not run on this instance and results keep coming; the first wait of its backoff
 * @param streamPollMaxInterval longest wait between two looks of a live result stream at the database
 * while nothing changes: the wait doubles from {@code stream-poll-interval} up to this, and falls back
 * on new results
 * @param maxPageBytes most bytes of results (bodies included when asked for) in one page of results
 * and in one read of a live stream, about as stored; a page ends early, with a next cursor, at this
 * budget, and a single larger result makes a page of its own. Also bounds what a stream fed by the local
 * worker holds for a slow client before it falls back to the database
 * @param queueFullRetryAfter the wait suggested to clients when the queue is full
 * @param shutdownGracePeriod how long running jobs may go on at shutdown before they are released to
 * other instances; keep it well below {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s), which
 * bounds the whole stop, release included
 * @param retention how long finished jobs and their results are kept
 * @param purgeInterval how often expired jobs are purged
 * @param purgeBatchSize most jobs deleted in one purge statement
 * @param scheduleTickInterval how often every instance looks for due schedules and fires them
 * @param minFixedRate shortest {@code fixedRate} a schedule may have
 * @param schedules schedules declared in configuration, by name, upserted at startup on every replica:
 * {@code owner}, {@code trigger.cron} (with {@code trigger.timezone}) or {@code trigger.fixed-rate},
 * {@code template} (the job, as {@code POST /api/v1/jobs} takes it), {@code overlap}, {@code enabled},
 * {@code jitter}
 */
@ConfigurationProperties("fanout.scheduler")
public record SchedulerProperties(@Nullable String nodeId, @DefaultValue("true") boolean workerEnabled,
		@DefaultValue("4") int maxConcurrentJobs, @DefaultValue("1000") int maxQueuedJobs,
		@DefaultValue("1000000") int maxRequestsPerJob, @DefaultValue("16MB") DataSize maxRequestBytesPerJob,
		@DefaultValue("1d") Duration maxDeadline,
		@DefaultValue("30d") Duration maxDelay,
		@DefaultValue("30s") Duration leaseDuration,
		@DefaultValue("10s") Duration leaseRenewInterval, @DefaultValue("1s") Duration pollInterval,
		@DefaultValue("500ms") Duration cancelCheckInterval, @DefaultValue("500") int resultBatchSize,
		@DefaultValue("250ms") Duration resultBatchInterval, @DefaultValue("1MB") DataSize maxStoredBodySize,
		@DefaultValue("250ms") Duration streamPollInterval, @DefaultValue("4s") Duration streamPollMaxInterval,
		@DefaultValue("4MB") DataSize maxPageBytes, @DefaultValue("5s") Duration queueFullRetryAfter,
		@DefaultValue("20s") Duration shutdownGracePeriod,
		@DefaultValue("7d") Duration retention, @DefaultValue("1h") Duration purgeInterval,
		@DefaultValue("100") int purgeBatchSize, @DefaultValue("1s") Duration scheduleTickInterval,
		@DefaultValue("1s") Duration minFixedRate, @DefaultValue Map<String, ScheduleDeclaration> schedules) {

	public SchedulerProperties {
		if (nodeId != null && (nodeId.isBlank() || nodeId.length() > 200)) {
			throw new IllegalArgumentException("fanout.scheduler.node-id must be 1 to 200 characters");
		}
		positive("max-concurrent-jobs", maxConcurrentJobs);
		positive("max-queued-jobs", maxQueuedJobs);
		positive("max-requests-per-job", maxRequestsPerJob);
		if (maxRequestBytesPerJob.toBytes() < 1) {
			throw new IllegalArgumentException("fanout.scheduler.max-request-bytes-per-job must be positive");
		}
		positive("result-batch-size", resultBatchSize);
		positive("purge-batch-size", purgeBatchSize);
		positive("lease-duration", leaseDuration);
		positive("max-deadline", maxDeadline);
		positive("max-delay", maxDelay);
		positive("lease-renew-interval", leaseRenewInterval);
		positive("poll-interval", pollInterval);
		positive("cancel-check-interval", cancelCheckInterval);
		positive("result-batch-interval", resultBatchInterval);
		positive("stream-poll-interval", streamPollInterval);
		positive("stream-poll-max-interval", streamPollMaxInterval);
		if (streamPollMaxInterval.compareTo(streamPollInterval) < 0) {
			throw new IllegalArgumentException(
					"fanout.scheduler.stream-poll-max-interval must not be shorter than stream-poll-interval");
		}
		if (maxPageBytes == null || maxPageBytes.toBytes() < 1) {
			throw new IllegalArgumentException("fanout.scheduler.max-page-bytes must be at least 1B");
		}
		if (maxStoredBodySize == null || maxStoredBodySize.isNegative()) {
			throw new IllegalArgumentException("fanout.scheduler.max-stored-body-size must not be negative");
		}
		positive("retention", retention);
		positive("purge-interval", purgeInterval);
		positive("schedule-tick-interval", scheduleTickInterval);
		positive("min-fixed-rate", minFixedRate);
		if (queueFullRetryAfter.isNegative() || shutdownGracePeriod.isNegative()) {
			throw new IllegalArgumentException(
					"fanout.scheduler.queue-full-retry-after and shutdown-grace-period must not be negative");
		}
		if (leaseRenewInterval.compareTo(leaseDuration) >= 0) {
			throw new IllegalArgumentException(
					"fanout.scheduler.lease-renew-interval must be shorter than lease-duration");
		}
		schedules = (schedules != null) ? Collections.unmodifiableMap(new TreeMap<>(schedules)) : Map.of();
	}

	/** The defaults, as documented on each property. */
	public static SchedulerProperties defaults() {
		return new SchedulerProperties(null, true, 4, 1000, 1_000_000, DataSize.ofMegabytes(16), Duration.ofDays(1),
				Duration.ofDays(30), Duration.ofSeconds(30),
				Duration.ofSeconds(10),
				Duration.ofSeconds(1), Duration.ofMillis(500), 500, Duration.ofMillis(250), DataSize.ofMegabytes(1),
				Duration.ofMillis(250), Duration.ofSeconds(4), DataSize.ofMegabytes(4),
				Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofDays(7), Duration.ofHours(1), 100,
				Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of());
	}

	private static void positive(String name, int value) {
		if (value < 1) {
			throw new IllegalArgumentException("fanout.scheduler." + name + " must be at least 1");
		}
	}

	private static void positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("fanout.scheduler." + name + " must be positive");
		}
	}

}
