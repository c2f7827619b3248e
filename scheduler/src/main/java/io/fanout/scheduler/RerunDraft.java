package io.fanout.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.PolicyOverrides;
import org.jspecify.annotations.Nullable;

/**
 * A rerun as a caller asks for it: which of a finished job's requests to run again, by the outcome
 * of their results, and what to change. What it leaves out is the original job's: its policy, name,
 * labels, priority and deadline. {@link JobSpecFactory#rerun} checks it as it checks a submission.
 *
 * @param outcomes the outcomes whose requests run again; empty for {@link #DEFAULT_OUTCOMES}
 * @param policy settings that replace the original job's
 * @param name replaces the original's name
 * @param labels replace the original's labels
 * @param priority replaces the original's priority
 * @param deadline replaces the original's deadline
 * @param notBefore when the rerun may start at the earliest, as on a submission
 */
public record RerunDraft(Set<OutcomeKind> outcomes, PolicyOverrides policy, @Nullable String name,
		@Nullable Map<String, String> labels, @Nullable Integer priority, @Nullable Duration deadline,
		@Nullable Instant notBefore) {

	/** What a rerun runs again when it names no outcome: every request that did not succeed. */
	public static final Set<OutcomeKind> DEFAULT_OUTCOMES = Set.copyOf(EnumSet.complementOf(EnumSet.of(OutcomeKind.SUCCEEDED)));

	/** Every request that did not succeed, as it ran. */
	public static final RerunDraft FAILED = new RerunDraft(Set.of(), PolicyOverrides.NONE, null, null, null, null,
			null);

	public RerunDraft {
		outcomes = (outcomes == null || outcomes.isEmpty()) ? DEFAULT_OUTCOMES : Set.copyOf(outcomes);
		if (policy == null) {
			policy = PolicyOverrides.NONE;
		}
	}

}
