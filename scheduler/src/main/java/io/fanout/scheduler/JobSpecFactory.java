package io.fanout.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.Violation;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link JobSpec}s of {@link JobDraft}s with this server's defaults and limits: the one place
 * where a submission is merged with the defaults ({@link FetchPolicy#apply}) and checked, for jobs
 * submitted through the API and for schedules' templates alike. Every invalid part is reported at
 * once, by its path in the submission.
 */
public final class JobSpecFactory {

	/** Most violations reported for one submission. */
	public static final int MAX_VIOLATIONS = 100;

	private final FetchPolicy defaults;

	private final PolicyLimits limits;

	private final int maxRequestsPerJob;

	private final Duration maxDeadline;

	/** With the default longest deadline, a day. */
	public JobSpecFactory(FetchPolicy defaults, PolicyLimits limits, int maxRequestsPerJob) {
		this(defaults, limits, maxRequestsPerJob, Duration.ofDays(1));
	}

	/**
	 * @param defaults the policy for what a submission leaves out
	 * @param limits what a submission may ask for
	 * @param maxRequestsPerJob most requests in one job
	 * @param maxDeadline longest deadline a submission may ask for
	 */
	public JobSpecFactory(FetchPolicy defaults, PolicyLimits limits, int maxRequestsPerJob, Duration maxDeadline) {
		this.defaults = defaults;
		this.limits = limits;
		this.maxRequestsPerJob = maxRequestsPerJob;
		this.maxDeadline = maxDeadline;
	}

	/**
	 * The spec of this draft.
	 * @throws InvalidJobSpecException naming every invalid part (up to {@value #MAX_VIOLATIONS})
	 */
	public JobSpec create(JobDraft draft) {
		List<Violation> violations = new ArrayList<>();
		List<FetchRequest> requests = requests(draft.requests(), violations);
		FetchPolicy policy = this.defaults;
		try {
			policy = this.defaults.apply(draft.policy(), this.limits);
		}
		catch (InvalidFetchRequestException ex) {
			violations.addAll(ex.violations());
		}
		Map<String, String> labels = (draft.labels() != null) ? draft.labels() : Map.of();
		int priority = (draft.priority() != null) ? draft.priority() : 0;
		int requestCount = (draft.requests() != null) ? draft.requests().size() : 0;
		violations.addAll(JobSpec.violations(draft.name(), labels, priority, requestCount, draft.deadline()));
		if (draft.deadline() != null && draft.deadline().compareTo(this.maxDeadline) > 0) {
			violations.add(new Violation("deadline", "deadline must be at most " + this.maxDeadline));
		}
		JobDraft.CallbackDraft callbackDraft = draft.callback();
		Callback callback = (callbackDraft != null) ? Callback.parse(callbackDraft.url(), callbackDraft.events(),
				callbackDraft.progressEvery(), callbackDraft.headers(), violations) : null;
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
		}
		return new JobSpec(draft.name(), labels, priority, requests, policy, draft.deadline(), callback);
	}

	/**
	 * The spec of a rerun: the original's requests at {@code indexes}, in that order, headers and
	 * bodies as stored, under the original's policy with the draft's settings in place of those it
	 * names ({@link FetchPolicy#apply}, against this server's limits, as for a submission), and the
	 * original's name, labels, priority and deadline unless the draft gives others; its callback always.
	 * @throws InvalidJobSpecException naming every invalid setting of the draft
	 */
	public JobSpec rerun(JobSpec original, List<Integer> indexes, RerunDraft draft) {
		List<Violation> violations = new ArrayList<>();
		FetchPolicy policy = original.policy();
		try {
			policy = original.policy().apply(draft.policy(), this.limits);
		}
		catch (InvalidFetchRequestException ex) {
			violations.addAll(ex.violations());
		}
		String name = (draft.name() != null) ? draft.name() : original.name();
		Map<String, String> labels = (draft.labels() != null) ? draft.labels() : original.labels();
		int priority = (draft.priority() != null) ? draft.priority() : original.priority();
		Duration deadline = (draft.deadline() != null) ? draft.deadline() : original.deadline();
		violations.addAll(JobSpec.violations(name, labels, priority, indexes.size(), deadline));
		if (draft.deadline() != null && draft.deadline().compareTo(this.maxDeadline) > 0) {
			violations.add(new Violation("deadline", "deadline must be at most " + this.maxDeadline));
		}
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
		}
		List<FetchRequest> requests = indexes.stream().map(original.requests()::get).toList();
		// It reports where the original does: the same callback, its headers included.
		return new JobSpec(name, labels, priority, requests, policy, deadline).withCallback(original.callback());
	}

	/**
	 * Checks what a spec built anywhere must respect on this server: the number of its requests, the
	 * body size it may read, and its extraction rules.
	 * @throws InvalidJobSpecException naming what is over a limit
	 */
	public void check(JobSpec spec) {
		Violation tooMany = requestCount(spec.requests().size());
		if (tooMany != null) {
			throw new InvalidJobSpecException(List.of(tooMany));
		}
		List<Violation> violations = new ArrayList<>();
		if (spec.policy().maxBodySize() > this.limits.maxBodySize()) {
			violations.add(new Violation("maxBodySize",
					"maxBodySize must be between 0 and " + this.limits.maxBodySize() + " bytes"));
		}
		for (int i = 0; i < spec.requests().size() && violations.size() < MAX_VIOLATIONS; i++) {
			String path = InvalidJobSpecException.requestPath(i);
			this.limits.checkRules(spec.requests().get(i).extract())
				.forEach((violation) -> violations.add(violation.under(path)));
		}
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations);
		}
	}

	private List<FetchRequest> requests(@Nullable List<JobDraft.@Nullable Request> drafts, List<Violation> violations) {
		if (drafts == null || drafts.isEmpty()) {
			// JobSpec's own check names it.
			return List.of();
		}
		Violation tooMany = requestCount(drafts.size());
		if (tooMany != null) {
			violations.add(tooMany);
			return List.of();
		}
		List<FetchRequest> requests = new ArrayList<>(drafts.size());
		for (int i = 0; i < drafts.size(); i++) {
			JobDraft.Request draft = drafts.get(i);
			if (draft == null) {
				violations.add(new Violation(InvalidJobSpecException.requestPath(i), "must not be null"));
				continue;
			}
			String path = InvalidJobSpecException.requestPath(i);
			try {
				FetchRequest request = new FetchRequest(FetchRequest.parseUrl(draft.url()), draft.method(),
						draft.headers(), draft.body(), draft.extract());
				this.limits.checkRules(request.extract()).forEach((violation) -> violations.add(violation.under(path)));
				requests.add(request);
			}
			catch (InvalidFetchRequestException ex) {
				ex.violations().forEach((violation) -> violations.add(violation.under(path)));
			}
		}
		return requests;
	}

	private @Nullable Violation requestCount(int count) {
		return (count > this.maxRequestsPerJob) ? new Violation("requests",
				"a job may have at most " + this.maxRequestsPerJob + " requests, not " + count) : null;
	}

}
