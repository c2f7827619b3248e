package io.fanout.api.support;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
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
import org.jspecify.annotations.Nullable;

/**
 * Jobs and results as the scheduler would return them, for slice tests.
 */
public final class TestJobs {

	/** A fixed creation time. */
	public static final Instant CREATED = Instant.parse("2026-11-21T08:00:00Z");

	private TestJobs() {
	}

	/** A queued job of tenant-a for this spec. */
	public static Job queued(UUID id, JobSpec spec) {
		return new Job(id, "tenant-a", spec.name(), spec.labels(), spec.priority(), JobStatus.QUEUED,
				JobProgress.none(spec.requests().size()), 0, false, CREATED, null, null, spec.deadline(), null, null,
				null, null, null);
	}

	/** A job of tenant-a in this status with this progress. */
	public static Job job(UUID id, JobStatus status, JobProgress progress, @Nullable JobError error) {
		Instant started = status.equals(JobStatus.QUEUED) ? null : CREATED.plusMillis(10);
		Instant finished = status.isTerminal() ? CREATED.plusSeconds(2) : null;
		return new Job(id, "tenant-a", "weather", Map.of("team", "weather"), 0, status, progress, 1, false, CREATED,
				started, finished, null, error, null, null, null, null);
	}

	/** A result of request {@code index}: SUCCEEDED with a body, or a failure. */
	public static JobResult result(UUID jobId, int index, OutcomeKind outcome) {
		boolean ok = outcome == OutcomeKind.SUCCEEDED;
		return new JobResult(jobId, index, "GET", URI.create("http://upstream.test/" + index), outcome,
				ok ? 200 : null, 1, CREATED.plusMillis(index), Duration.ofMillis(2000 + index),
				ok ? "{\"tmp\":" + index + "}" : null, ok ? 9 : 0, ok ? Map.of("temperature", index) : Map.of(),
				ok ? null : new FetchError(ErrorKind.TIMEOUT, "no response within PT10S"));
	}

}
