package io.fanout.api.jobs;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.PolicyOverrides;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobDraft;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.RerunDraft;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link JobSubmission} into the scheduler's {@link JobSpec}. The rules (defaults, limits,
 * every invalid field by its path) are the scheduler's {@link JobSpecFactory}'s; this class only
 * carries the API's fields over. Schedules use it for their job template.
 */
@Component
public class JobSubmissions {

	private final JobSpecFactory specs;

	JobSubmissions(JobSpecFactory specs) {
		this.specs = specs;
	}

	/**
	 * The spec to submit.
	 * @throws InvalidJobSpecException naming every invalid field
	 */
	public JobSpec toSpec(JobSubmission submission) {
		return this.specs.create(draft(submission));
	}

	/** The submission as the scheduler's draft, nothing checked yet. */
	public static JobDraft draft(JobSubmission submission) {
		PolicyOverrides policy = policy(submission.concurrency(), submission.timeout(), submission.retry(),
				submission.failFast(), submission.followRedirects(), submission.maxBodySize(),
				submission.allowRedirectToHttp(), submission.rateLimit(), submission.flowControl());
		return new JobDraft(submission.name(), submission.labels(), submission.priority(),
				requests(submission.requests()), policy, submission.deadline());
	}

	/**
	 * The rerun as the scheduler's draft, nothing checked yet: its settings are checked with the
	 * original's spec ({@link JobSpecFactory#rerun}).
	 */
	static RerunDraft rerunDraft(RerunSubmission rerun) {
		PolicyOverrides policy = policy(rerun.concurrency(), rerun.timeout(), rerun.retry(), rerun.failFast(),
				rerun.followRedirects(), rerun.maxBodySize(), rerun.allowRedirectToHttp(), rerun.rateLimit(),
				rerun.flowControl());
		Set<OutcomeKind> outcomes = EnumSet.noneOf(OutcomeKind.class);
		if (rerun.outcomes() != null) {
			rerun.outcomes().stream().filter((outcome) -> outcome != null).forEach(outcomes::add);
		}
		return new RerunDraft(outcomes, policy, rerun.name(), rerun.labels(), rerun.priority(), rerun.deadline(),
				rerun.notBefore());
	}

	private static PolicyOverrides policy(@Nullable Integer concurrency, @Nullable Duration timeout,
			JobSubmission.@Nullable Retry retry, @Nullable Boolean failFast, @Nullable Boolean followRedirects,
			@Nullable Long maxBodySize, @Nullable Boolean allowRedirectToHttp,
			JobSubmission.@Nullable RateLimit rateLimit, JobSubmission.@Nullable FlowControl flowControl) {
		return new PolicyOverrides(concurrency, timeout,
				(retry != null) ? new PolicyOverrides.Retry(retry.maxAttempts(), retry.initialBackoff(),
						retry.maxBackoff()) : null,
				failFast, followRedirects, maxBodySize, allowRedirectToHttp, rate(rateLimit), flow(flowControl));
	}

	private static PolicyOverrides.@Nullable RateLimit rate(JobSubmission.@Nullable RateLimit rate) {
		return (rate != null) ? new PolicyOverrides.RateLimit(rate.permits(), rate.period()) : null;
	}

	private static PolicyOverrides.@Nullable Flow flow(JobSubmission.@Nullable FlowControl flow) {
		return (flow != null) ? new PolicyOverrides.Flow(flow.key(), rate(flow.rate()), flow.parallelism()) : null;
	}

	private static @Nullable List<JobDraft.@Nullable Request> requests(
			@Nullable List<JobSubmission.@Nullable Request> requests) {
		if (requests == null) {
			return null;
		}
		return requests.stream()
			.map((request) -> (request != null) ? new JobDraft.Request(request.url(), request.method(),
					request.headers(), request.body(), request.extract()) : null)
			.toList();
	}

}
