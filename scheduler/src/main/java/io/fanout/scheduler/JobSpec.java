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
 */
public record JobSpec(@Nullable String name, Map<String, String> labels, int priority, List<FetchRequest> requests,
		FetchPolicy policy, @Nullable Duration deadline) {

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
		if (name != null) {
			name = name.strip();
			if (name.isEmpty()) {
				name = null;
			}
			else if (name.length() > MAX_NAME_LENGTH || hasControlCharacters(name)) {
				throw new InvalidJobSpecException("name",
						"name must be at most " + MAX_NAME_LENGTH + " characters of one-line text");
			}
		}
		labels = copyLabels(labels);
		if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
			throw new InvalidJobSpecException("priority",
					"priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY);
		}
		if (requests == null || requests.isEmpty()) {
			throw new InvalidJobSpecException("requests", "a job needs at least one request");
		}
		List<FetchRequest> copy = new ArrayList<>(requests.size());
		for (int i = 0; i < requests.size(); i++) {
			FetchRequest request = requests.get(i);
			if (request == null) {
				throw new InvalidJobSpecException("requests[" + i + "]", "request must not be null");
			}
			copy.add(request);
		}
		requests = Collections.unmodifiableList(copy);
		if (policy == null) {
			policy = FetchPolicy.DEFAULT;
		}
		if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
			throw new InvalidJobSpecException("deadline", "deadline must be positive");
		}
	}

	/** A spec of these requests under this policy: no name, no labels, priority 0, no deadline. */
	public static JobSpec of(List<FetchRequest> requests, FetchPolicy policy) {
		return new JobSpec(null, Map.of(), 0, requests, policy, null);
	}

	public JobSpec withName(@Nullable String name) {
		return new JobSpec(name, this.labels, this.priority, this.requests, this.policy, this.deadline);
	}

	public JobSpec withLabels(Map<String, String> labels) {
		return new JobSpec(this.name, labels, this.priority, this.requests, this.policy, this.deadline);
	}

	public JobSpec withPriority(int priority) {
		return new JobSpec(this.name, this.labels, priority, this.requests, this.policy, this.deadline);
	}

	public JobSpec withPolicy(FetchPolicy policy) {
		return new JobSpec(this.name, this.labels, this.priority, this.requests, policy, this.deadline);
	}

	public JobSpec withDeadline(@Nullable Duration deadline) {
		return new JobSpec(this.name, this.labels, this.priority, this.requests, this.policy, deadline);
	}

	@Override
	public String toString() {
		// Request headers and bodies can hold credentials for upstreams: only counts are printed.
		return "JobSpec[name=" + this.name + ", labels=" + this.labels + ", priority=" + this.priority + ", requests="
				+ this.requests.size() + ", concurrency=" + this.policy.concurrency() + ", timeout="
				+ this.policy.timeout() + ", failFast=" + this.policy.failFast() + ", deadline=" + this.deadline + "]";
	}

	private static Map<String, String> copyLabels(@Nullable Map<String, String> labels) {
		if (labels == null || labels.isEmpty()) {
			return Map.of();
		}
		if (labels.size() > MAX_LABELS) {
			throw new InvalidJobSpecException("labels", "at most " + MAX_LABELS + " labels are allowed");
		}
		Map<String, String> copy = new LinkedHashMap<>();
		labels.forEach((key, value) -> {
			if (key == null || !LABEL_KEY.matcher(key).matches()) {
				throw new InvalidJobSpecException("labels",
						"label keys are 1 to 63 letters, digits, '.', '_', '/' or '-', starting with a letter or digit");
			}
			if (value == null || value.length() > MAX_NAME_LENGTH || hasControlCharacters(value)) {
				throw new InvalidJobSpecException("labels." + key,
						"label values are at most " + MAX_NAME_LENGTH + " characters of one-line text");
			}
			copy.put(key, value);
		});
		return Collections.unmodifiableMap(copy);
	}

	private static boolean hasControlCharacters(String text) {
		return text.chars().anyMatch(Character::isISOControl);
	}

}
