package io.fanout.api.jobs;

import java.util.List;

import io.fanout.fetch.PolicyOverrides;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobDraft;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobSpecFactory;
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
		JobSubmission.Retry retry = submission.retry();
		PolicyOverrides policy = new PolicyOverrides(submission.concurrency(), submission.timeout(),
				(retry != null) ? new PolicyOverrides.Retry(retry.maxAttempts(), retry.initialBackoff(),
						retry.maxBackoff()) : null,
				submission.failFast(), submission.followRedirects(), submission.maxBodySize(),
				submission.allowRedirectToHttp(), rate(submission.rateLimit()), flow(submission.flowControl()));
		JobSubmission.Callback callback = submission.callback();
		return new JobDraft(submission.name(), submission.labels(), submission.priority(),
				requests(submission.requests()), policy, submission.deadline(),
				(callback != null) ? new JobDraft.CallbackDraft(callback.url(), callback.events(),
						callback.progressEvery(), callback.headers()) : null);
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
