package io.fanout.api.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.autoconfigure.FetchProperties;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.SchedulerProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link JobSubmission} into the scheduler's {@link JobSpec}: fills what the submission leaves
 * out from {@code fanout.fetch.default-policy.*}, enforces the configured caps, and reports every
 * invalid field at once, by path ({@code requests[3].url}), as an {@link InvalidRequestException}.
 * The rules themselves are fetch-service's and the scheduler's; this class only collects their
 * verdicts. Schedules use it for their job template.
 */
@Component
public class JobSubmissions {

	/** Most invalid fields listed in one response. */
	static final int MAX_ERRORS = 100;

	/** Stands in for the requests while the rest of a submission with invalid requests is checked. */
	private static final List<FetchRequest> PLACEHOLDER = List.of(FetchRequest.get("http://placeholder.invalid/"));

	private final FetchProperties fetch;

	private final SchedulerProperties scheduler;

	JobSubmissions(FetchProperties fetch, SchedulerProperties scheduler) {
		this.fetch = fetch;
		this.scheduler = scheduler;
	}

	/** The spec to submit, or an {@link InvalidRequestException} naming every invalid field. */
	public JobSpec toSpec(JobSubmission submission) {
		List<InvalidField> errors = new ArrayList<>();
		List<FetchRequest> requests = requests(submission.requests(), errors);
		FetchPolicy policy = policy(submission, errors);
		Map<String, String> labels = (submission.labels() != null) ? submission.labels() : Map.of();
		int priority = (submission.priority() != null) ? submission.priority() : 0;
		try {
			JobSpec spec = new JobSpec(submission.name(), labels, priority, errors.isEmpty() ? requests : PLACEHOLDER,
					FetchPolicy.DEFAULT, submission.deadline());
			if (errors.isEmpty()) {
				return spec.withPolicy(policy);
			}
		}
		catch (InvalidJobSpecException ex) {
			add(errors, ex.field(), ex.getMessage());
		}
		throw new InvalidRequestException(errors);
	}

	private List<FetchRequest> requests(@Nullable List<JobSubmission.@Nullable Request> submitted,
			List<InvalidField> errors) {
		if (submitted == null || submitted.isEmpty()) {
			add(errors, "requests", "a job needs at least one request");
			return List.of();
		}
		int max = this.scheduler.maxRequestsPerJob();
		if (submitted.size() > max) {
			add(errors, "requests", "a job may have at most " + max + " requests, not " + submitted.size());
			return List.of();
		}
		List<FetchRequest> requests = new ArrayList<>(submitted.size());
		for (int i = 0; i < submitted.size(); i++) {
			JobSubmission.Request request = submitted.get(i);
			if (request == null) {
				add(errors, "requests[" + i + "]", "must not be null");
				continue;
			}
			try {
				requests.add(new FetchRequest(FetchRequest.parseUrl(request.url()), request.method(), request.headers(),
						request.body(), request.extract()));
			}
			catch (InvalidFetchRequestException ex) {
				add(errors, "requests[" + i + "]." + ex.field(), ex.getMessage());
			}
		}
		return requests;
	}

	private FetchPolicy policy(JobSubmission submission, List<InvalidField> errors) {
		FetchPolicy defaults = this.fetch.defaultPolicy().toPolicy();
		int concurrency = (submission.concurrency() != null) ? submission.concurrency() : defaults.concurrency();
		Duration timeout = (submission.timeout() != null) ? submission.timeout() : defaults.timeout();
		RetryPolicy retry = retry(submission.retry(), defaults.retry(), errors);
		long maxBodySize = (submission.maxBodySize() != null) ? submission.maxBodySize() : defaults.maxBodySize();
		long cap = this.fetch.maxBodySize().toBytes();
		if (maxBodySize < 0 || maxBodySize > cap) {
			add(errors, "maxBodySize", "maxBodySize must be between 0 and " + cap + " bytes");
			maxBodySize = defaults.maxBodySize();
		}
		// Checked one at a time, so that each invalid setting is reported.
		check(() -> defaults.withConcurrency(concurrency), errors);
		check(() -> defaults.withTimeout(timeout), errors);
		try {
			return new FetchPolicy(concurrency, timeout, retry, Boolean.TRUE.equals(submission.failFast()), maxBodySize,
					Boolean.TRUE.equals(submission.followRedirects()), defaults.maxRedirects());
		}
		catch (InvalidFetchRequestException ex) {
			return defaults;
		}
	}

	private RetryPolicy retry(JobSubmission.@Nullable Retry submitted, RetryPolicy defaults, List<InvalidField> errors) {
		if (submitted == null) {
			return defaults;
		}
		int maxAttempts = (submitted.maxAttempts() != null) ? submitted.maxAttempts() : defaults.maxAttempts();
		Duration initialBackoff = (submitted.initialBackoff() != null) ? submitted.initialBackoff()
				: defaults.initialBackoff();
		Duration maxBackoff = (submitted.maxBackoff() != null) ? submitted.maxBackoff() : defaults.maxBackoff();
		if (submitted.maxBackoff() == null && maxBackoff.compareTo(initialBackoff) < 0) {
			// Only the initial backoff was raised: let the cap follow it.
			maxBackoff = initialBackoff;
		}
		try {
			return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, defaults.retryOn());
		}
		catch (InvalidFetchRequestException ex) {
			add(errors, ex.field(), ex.getMessage());
			return defaults;
		}
	}

	private static void check(Runnable validation, List<InvalidField> errors) {
		try {
			validation.run();
		}
		catch (InvalidFetchRequestException ex) {
			add(errors, ex.field(), ex.getMessage());
		}
	}

	private static void add(List<InvalidField> errors, String field, String message) {
		if (errors.size() < MAX_ERRORS) {
			errors.add(new InvalidField(field, message));
		}
	}

}
