package io.fanout.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.Violation;
import org.jspecify.annotations.Nullable;

/**
 * What a job is asked to do: its requests and how to fetch them, plus how it is named, labelled and
 * ranked. Validated when constructed; limits that depend on configuration (requests per job) are
 * checked on submission.
 * <p>
 * Requests may carry secrets in their headers: {@link #toString()} prints neither headers nor bodies.
 *
 * @param name optional human-readable name
 * @param labels key/value labels to filter jobs by (keys: letters, digits, {@code . _ / -})
 * @param priority higher runs first; between {@value #MIN_PRIORITY} and {@value #MAX_PRIORITY}
 * @param requests the requests, at least one; results are keyed by position in this list
 * @param policy concurrency, per-request timeout, retry, fail-fast, body limit, redirects
 * @param deadline optional limit for the whole job, counted from when it first starts running
 * @param callback optional: where the job reports its end (and progress), signed
 */
public record JobSpec(@Nullable String name, Map<String, String> labels, int priority, List<FetchRequest> requests,
		FetchPolicy policy, @Nullable Duration deadline, @Nullable Callback callback) {

	/** Lowest priority. */
	public static final int MIN_PRIORITY = -1000;

	/** Highest priority. */
	public static final int MAX_PRIORITY = 1000;

	/** Most labels on one job. */
	public static final int MAX_LABELS = 32;

	/** Longest name, label value and label key. */
	public static final int MAX_NAME_LENGTH = 200;

	private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

	public JobSpec {
		List<Violation> violations = violations(name, labels, priority, (requests != null) ? requests.size() : 0,
				deadline);
		// Compact requests hold no null, and are immutable: neither checked nor copied (a million of them
		// would be decoded to be).
		boolean compact = requests instanceof CompactRequests;
		if (requests != null && !compact) {
			for (int i = 0; i < requests.size(); i++) {
				if (requests.get(i) == null) {
					violations.add(new Violation(InvalidJobSpecException.requestPath(i), "request must not be null"));
				}
			}
		}
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations);
		}
		name = normalName(name);
		labels = (labels == null || labels.isEmpty()) ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
		if (!compact) {
			requests = Collections.unmodifiableList(new ArrayList<>(requests));
		}
		if (policy == null) {
			policy = FetchPolicy.DEFAULT;
		}
	}

	/** A spec without a callback. */
	public JobSpec(@Nullable String name, Map<String, String> labels, int priority, List<FetchRequest> requests,
			FetchPolicy policy, @Nullable Duration deadline) {
		this(name, labels, priority, requests, policy, deadline, null);
	}

	/**
	 * What is wrong with these parts of a job, every one: its name, labels, priority, the number of
	 * its requests and its deadline. Empty when they make a job.
	 */
	public static List<Violation> violations(@Nullable String name, @Nullable Map<String, String> labels,
			int priority, int requestCount, @Nullable Duration deadline) {
		List<Violation> violations = new ArrayList<>();
		String normal = normalName(name);
		if (normal != null && (normal.length() > MAX_NAME_LENGTH || hasControlCharacters(normal))) {
			violations.add(new Violation("name",
					"name must be at most " + MAX_NAME_LENGTH + " characters of one-line text"));
		}
		checkLabels(labels, violations);
		if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
			violations.add(new Violation("priority",
					"priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY));
		}
		if (requestCount == 0) {
			violations.add(new Violation("requests", "a job needs at least one request"));
		}
		if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
			violations.add(new Violation("deadline", "deadline must be positive"));
		}
		return violations;
	}

	/** A spec of these requests under this policy: no name, no labels, priority 0, no deadline. */
	public static JobSpec of(List<FetchRequest> requests, FetchPolicy policy) {
		return new JobSpec(null, Map.of(), 0, requests, policy, null);
	}

	public JobSpec withName(@Nullable String name) {
		return new JobSpec(name, this.labels, this.priority, this.requests, this.policy, this.deadline, this.callback);
	}

	public JobSpec withLabels(Map<String, String> labels) {
		return new JobSpec(this.name, labels, this.priority, this.requests, this.policy, this.deadline, this.callback);
	}

	public JobSpec withPriority(int priority) {
		return new JobSpec(this.name, this.labels, priority, this.requests, this.policy, this.deadline, this.callback);
	}

	public JobSpec withPolicy(FetchPolicy policy) {
		return new JobSpec(this.name, this.labels, this.priority, this.requests, policy, this.deadline, this.callback);
	}

	public JobSpec withDeadline(@Nullable Duration deadline) {
		return new JobSpec(this.name, this.labels, this.priority, this.requests, this.policy, deadline, this.callback);
	}

	public JobSpec withCallback(@Nullable Callback callback) {
		return new JobSpec(this.name, this.labels, this.priority, this.requests, this.policy, this.deadline, callback);
	}

	@Override
	public String toString() {
		// Request headers and bodies can hold credentials for upstreams: only counts are printed.
		return "JobSpec[name=" + this.name + ", labels=" + this.labels + ", priority=" + this.priority + ", requests="
				+ this.requests.size() + ", concurrency=" + this.policy.concurrency() + ", timeout="
				+ this.policy.timeout() + ", failFast=" + this.policy.failFast() + ", deadline=" + this.deadline + ", callback=" + this.callback + "]";
	}

	private static @Nullable String normalName(@Nullable String name) {
		if (name == null) {
			return null;
		}
		String stripped = name.strip();
		return stripped.isEmpty() ? null : stripped;
	}

	private static void checkLabels(@Nullable Map<String, String> labels, List<Violation> violations) {
		if (labels == null || labels.isEmpty()) {
			return;
		}
		if (labels.size() > MAX_LABELS) {
			violations.add(new Violation("labels", "at most " + MAX_LABELS + " labels are allowed"));
			return;
		}
		labels.forEach((key, value) -> {
			if (key == null || !LABEL_KEY.matcher(key).matches()) {
				violations.add(new Violation("labels",
						"label keys are 1 to 63 letters, digits, '.', '_', '/' or '-', starting with a letter or digit"));
			}
			else if (value == null || value.length() > MAX_NAME_LENGTH || hasControlCharacters(value)) {
				violations.add(new Violation("labels." + key,
						"label values are at most " + MAX_NAME_LENGTH + " characters of one-line text"));
			}
		});
	}

	private static boolean hasControlCharacters(String text) {
		return text.chars().anyMatch(Character::isISOControl);
	}

}
