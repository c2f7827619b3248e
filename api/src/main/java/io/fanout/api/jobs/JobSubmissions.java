package io.fanout.api.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.PolicyOverrides;
import io.fanout.fetch.Rate;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.Violation;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobDraft;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.RerunDraft;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link JobSubmission} into the scheduler's {@link JobSpec}, and a stored spec back into the
 * submission that makes it. The rules (defaults, limits, every invalid field by its path) are the
 * scheduler's {@link JobSpecFactory}'s; this class only carries the API's fields over, and keeps the
 * stored header values and bodies (of requests and the callback) that a schedule's template sent back
 * names ({@link StoredValues}).
 * Schedules use it for their job template.
 */
@Component
public class JobSubmissions {

	private final JobSpecFactory specs;

	JobSubmissions(JobSpecFactory specs) {
		this.specs = specs;
	}

	/**
	 * The spec to submit. Nothing is stored for a new job, so a request that names headers or a body
	 * without sending them is invalid.
	 * @throws InvalidJobSpecException naming every invalid field
	 */
	public JobSpec toSpec(JobSubmission submission) {
		List<Violation> violations = new ArrayList<>();
		JobDraft draft = draft(submission, null, violations);
		JobSpec spec;
		try {
			spec = this.specs.create(draft);
		}
		catch (InvalidJobSpecException ex) {
			throw violations.isEmpty() ? ex : new InvalidJobSpecException(concat(violations, ex.violations()));
		}
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations);
		}
		return spec;
	}

	/**
	 * A submission streamed as NDJSON: the job's settings (a {@link JobSubmission} without requests),
	 * then its requests one by one, each checked and compressed as it comes.
	 */
	Streamed streamed() {
		return new Streamed(this.specs.requests());
	}

	/** The requests of a streamed submission so far, and what was wrong with them. */
	final class Streamed {

		private final JobSpecFactory.Requests requests;

		private final List<Violation> violations = new ArrayList<>();

		private Streamed(JobSpecFactory.Requests requests) {
			this.requests = requests;
		}

		/** Adds the next request, {@code requests[n]}, n the number added before. */
		void add(JobSubmission.@Nullable Request request) {
			int index = this.requests.count();
			List<Violation> found = new ArrayList<>();
			JobDraft.Request draft = (request != null) ? StoredValues.kept(request, null, index, found) : null;
			if (this.violations.size() < JobSpecFactory.MAX_VIOLATIONS) {
				this.violations.addAll(found);
			}
			this.requests.add(draft);
		}

		/** How many requests were added. */
		int count() {
			return this.requests.count();
		}

		/** Whether reading more would not change the answer: the submission is already invalid. */
		boolean invalid() {
			return !this.violations.isEmpty() || this.requests.invalid();
		}

		/**
		 * The spec of these settings and the requests added.
		 * @throws InvalidJobSpecException naming every invalid field
		 */
		JobSpec toSpec(JobSubmission settings) {
			List<Violation> all = new ArrayList<>(this.violations);
			if (settings.requests() != null) {
				all.add(new Violation("requests",
						"a streamed submission sends its requests one per line after the first line, not in it"));
			}
			JobDraft draft = draft(settings, null, all);
			JobSpec spec;
			try {
				spec = JobSubmissions.this.specs.create(draft, this.requests);
			}
			catch (InvalidJobSpecException ex) {
				throw all.isEmpty() ? ex : new InvalidJobSpecException(concat(all, ex.violations()));
			}
			if (!all.isEmpty()) {
				throw new InvalidJobSpecException(all);
			}
			return spec;
		}

	}

	/**
	 * The submission as the scheduler's draft, nothing checked yet but what it keeps of {@code stored}:
	 * a request that names headers ({@code headerNames}) without sending {@code headers}, or says
	 * {@code hasBody} without sending {@code body}, takes them from the stored request at the same
	 * position with the same URL. What it cannot take is added to {@code violations}, by its path in the
	 * submission ({@code requests[0].headerNames[1]}).
	 */
	public static JobDraft draft(JobSubmission submission, @Nullable JobSpec stored, List<Violation> violations) {
		PolicyOverrides policy = policy(submission.concurrency(), submission.timeout(), submission.retry(),
				submission.failFast(), submission.followRedirects(), submission.maxBodySize(),
				submission.allowRedirectToHttp(), submission.rateLimit(), submission.flowControl());
		JobSubmission.Callback callback = submission.callback();
		return new JobDraft(submission.name(), submission.labels(), submission.priority(),
				requests(submission.requests(), stored, violations), policy, submission.deadline(),
				(callback != null) ? new JobDraft.CallbackDraft(callback.url(), callback.events(),
						callback.progressEvery(), StoredValues.keptHeaders(callback, stored, violations)) : null);
	}

	/**
	 * The submission that makes {@code spec}, every setting filled in, as a schedule's template is
	 * returned: its requests name their headers and tell whether they have a body, but carry neither.
	 */
	public static JobSubmission of(JobSpec spec) {
		FetchPolicy policy = spec.policy();
		RetryPolicy retry = policy.retry();
		return new JobSubmission(spec.name(), spec.requests().stream().map(StoredValues::withheld).toList(),
				policy.concurrency(), policy.timeout(), spec.deadline(),
				new JobSubmission.Retry(retry.maxAttempts(), retry.initialBackoff(), retry.maxBackoff()),
				policy.failFast(), policy.followRedirects(), policy.allowRedirectToHttp(), rate(policy.rateLimit()),
				flow(policy.flowControl()), policy.maxBodySize(), spec.priority(), spec.labels(), null,
				(spec.callback() != null) ? StoredValues.withheld(spec.callback()) : null);
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

	private static JobSubmission.@Nullable RateLimit rate(@Nullable Rate rate) {
		return (rate != null) ? new JobSubmission.RateLimit(rate.permits(), rate.period()) : null;
	}

	private static JobSubmission.@Nullable FlowControl flow(io.fanout.fetch.@Nullable FlowControl flow) {
		return (flow != null) ? new JobSubmission.FlowControl(flow.key(), rate(flow.rate()), flow.parallelism())
				: null;
	}

	private static @Nullable List<JobDraft.@Nullable Request> requests(
			@Nullable List<JobSubmission.@Nullable Request> requests, @Nullable JobSpec stored,
			List<Violation> violations) {
		if (requests == null) {
			return null;
		}
		List<JobDraft.@Nullable Request> drafts = new ArrayList<>(requests.size());
		for (int index = 0; index < requests.size(); index++) {
			JobSubmission.Request request = requests.get(index);
			drafts.add((request != null) ? StoredValues.kept(request, stored, index, violations) : null);
		}
		return Collections.unmodifiableList(drafts);
	}

	private static List<Violation> concat(List<Violation> first, List<Violation> then) {
		List<Violation> all = new ArrayList<>(first);
		all.addAll(then);
		return all;
	}

}
