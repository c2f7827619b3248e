package io.fanout.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

	/** Most bytes one job's requests take compressed, unless configured otherwise: 16 MiB. */
	public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;

	private final FetchPolicy defaults;

	private final PolicyLimits limits;

	private final int maxRequestsPerJob;

	private final long maxRequestBytesPerJob;

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
		this(defaults, limits, maxRequestsPerJob, DEFAULT_MAX_REQUEST_BYTES, maxDeadline);
	}

	/**
	 * @param defaults the policy for what a submission leaves out
	 * @param limits what a submission may ask for
	 * @param maxRequestsPerJob most requests in one job
	 * @param maxRequestBytesPerJob most bytes one job's requests take compressed
	 * @param maxDeadline longest deadline a submission may ask for
	 */
	public JobSpecFactory(FetchPolicy defaults, PolicyLimits limits, int maxRequestsPerJob, long maxRequestBytesPerJob,
			Duration maxDeadline) {
		this.defaults = defaults;
		this.limits = limits;
		this.maxRequestsPerJob = maxRequestsPerJob;
		this.maxRequestBytesPerJob = maxRequestBytesPerJob;
		this.maxDeadline = maxDeadline;
	}

	/**
	 * The spec of this draft.
	 * @throws InvalidJobSpecException naming every invalid part (up to {@value #MAX_VIOLATIONS})
	 */
	public JobSpec create(JobDraft draft) {
		Requests requests = new Requests();
		List<JobDraft.@Nullable Request> drafts = draft.requests();
		if (drafts != null && drafts.size() > this.maxRequestsPerJob) {
			// Too many to be worth checking one by one: the count is all that is reported.
			requests.count = drafts.size();
		}
		else if (drafts != null) {
			drafts.forEach(requests::add);
		}
		requests.counted = true;
		return create(draft, requests);
	}

	/**
	 * Requests to make a spec of with {@link #create(JobDraft, Requests)}, added one by one as they
	 * arrive (a submission streamed line by line): each is checked and compressed when added, so a
	 * million of them never exist parsed at once.
	 */
	public Requests requests() {
		return new Requests();
	}

	/**
	 * The spec of this draft with these requests; the draft's own requests are not looked at.
	 * @throws InvalidJobSpecException naming every invalid part (up to {@value #MAX_VIOLATIONS}), the
	 * requests' first
	 */
	public JobSpec create(JobDraft draft, Requests requests) {
		List<Violation> violations = new ArrayList<>(requests.violations);
		Violation tooMany = requestCount(requests.count, requests.counted);
		if (tooMany != null) {
			violations.add(tooMany);
		}
		FetchPolicy policy = this.defaults;
		try {
			policy = this.defaults.apply(draft.policy(), this.limits);
		}
		catch (InvalidFetchRequestException ex) {
			violations.addAll(ex.violations());
		}
		Map<String, String> labels = (draft.labels() != null) ? draft.labels() : Map.of();
		int priority = (draft.priority() != null) ? draft.priority() : 0;
		violations.addAll(JobSpec.violations(draft.name(), labels, priority, requests.count, draft.deadline()));
		if (draft.deadline() != null && draft.deadline().compareTo(this.maxDeadline) > 0) {
			violations.add(new Violation("deadline", "deadline must be at most " + this.maxDeadline));
		}
		JobDraft.CallbackDraft callbackDraft = draft.callback();
		Callback callback = (callbackDraft != null) ? Callback.parse(callbackDraft.url(), callbackDraft.events(),
				callbackDraft.progressEvery(), callbackDraft.headers(), violations) : null;
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
		}
		return new JobSpec(draft.name(), labels, priority, requests.requests.build(), policy, draft.deadline(),
				callback);
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
		CompactRequests.Builder requests = CompactRequests.builder();
		indexes.forEach((index) -> requests.add(original.requests().get(index)));
		// It reports where the original does: the same callback, its headers included.
		return new JobSpec(name, labels, priority, requests.build(), policy, deadline).withCallback(original.callback());
	}

	/**
	 * Checks what a spec built anywhere must respect on this server: the number of its requests, the
	 * body size it may read, and its extraction rules.
	 * @throws InvalidJobSpecException naming what is over a limit
	 */
	public void check(JobSpec spec) {
		Violation tooMany = requestCount(spec.requests().size(), true);
		if (tooMany != null) {
			throw new InvalidJobSpecException(List.of(tooMany));
		}
		List<Violation> violations = new ArrayList<>();
		if (spec.policy().maxBodySize() > this.limits.maxBodySize()) {
			violations.add(new Violation("maxBodySize",
					"maxBodySize must be between 0 and " + this.limits.maxBodySize() + " bytes"));
		}
		if (!rulesPass(spec.requests())) {
			for (int i = 0; i < spec.requests().size() && violations.size() < MAX_VIOLATIONS; i++) {
				String path = InvalidJobSpecException.requestPath(i);
				this.limits.checkRules(spec.requests().get(i).extract())
					.forEach((violation) -> violations.add(violation.under(path)));
			}
		}
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations);
		}
	}

	/**
	 * Whether every request's extraction rules are known to pass without reading the requests one by
	 * one: compact requests built here know their few distinct rules. A million requests of a streamed
	 * submission are thus not decoded again, on the thread that submits, to check what they were
	 * checked for as they were read. Else the caller checks each request, naming those that fail.
	 */
	private boolean rulesPass(List<FetchRequest> requests) {
		Set<Map<String, String>> distinct = (requests instanceof CompactRequests compact) ? compact.distinctRules()
				: null;
		return distinct != null && distinct.stream().allMatch((rules) -> this.limits.checkRules(rules).isEmpty());
	}

	/** @param counted whether {@code count} is the submission's own, or where reading stopped (one too many) */
	private @Nullable Violation requestCount(int count, boolean counted) {
		if (count <= this.maxRequestsPerJob) {
			return null;
		}
		return new Violation("requests", "a job may have at most " + this.maxRequestsPerJob + " requests"
				+ (counted ? ", not " + count : "; this submission has more"));
	}

	/**
	 * A submission's requests, checked and compressed one at a time. Past the most requests a job may
	 * have, requests are only counted; past {@value #MAX_VIOLATIONS} violations, only checked.
	 */
	public final class Requests {

		private final CompactRequests.Builder requests = CompactRequests.builder();

		private final List<Violation> violations = new ArrayList<>();

		private int count;

		/**
		 * Whether every request of the submission was counted; else (a streamed submission) reading
		 * stops at the first one too many, and how many more there were is not known.
		 */
		private boolean counted;

		private Requests() {
		}

		/** Adds the next request: {@code requests[n]} of the submission, n the number added before. */
		public void add(JobDraft.@Nullable Request draft) {
			int index = this.count++;
			if (this.count > JobSpecFactory.this.maxRequestsPerJob) {
				return;
			}
			String path = InvalidJobSpecException.requestPath(index);
			if (draft == null) {
				violation(new Violation(path, "must not be null"));
				return;
			}
			try {
				FetchRequest request = new FetchRequest(FetchRequest.parseUrl(draft.url()), draft.method(),
						draft.headers(), draft.body(), draft.extract());
				JobSpecFactory.this.limits.checkRules(request.extract())
					.forEach((violation) -> violation(violation.under(path)));
				if (this.violations.isEmpty()) {
					this.requests.add(request);
					if (this.requests.compressedBytes() > JobSpecFactory.this.maxRequestBytesPerJob) {
						violation(new Violation("requests", "the job's requests take more than "
								+ JobSpecFactory.this.maxRequestBytesPerJob + " bytes compressed, from " + path + " on"));
					}
				}
			}
			catch (InvalidFetchRequestException ex) {
				ex.violations().forEach((violation) -> violation(violation.under(path)));
			}
		}

		/** How many requests were added. */
		public int count() {
			return this.count;
		}

		/** Whether a request added so far was invalid, or one too many. */
		public boolean invalid() {
			return !this.violations.isEmpty() || this.count > JobSpecFactory.this.maxRequestsPerJob;
		}

		private void violation(Violation violation) {
			if (this.violations.size() < MAX_VIOLATIONS) {
				this.violations.add(violation);
			}
		}

	}

}
