package io.fanout.scheduler;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Where a job is in its life. The names are stable: they are stored and exposed by the API as they are.
 * <p>
 * Allowed transitions, and nothing else:
 * <pre>
 * QUEUED  → RUNNING | CANCELLED
 * RUNNING → COMPLETED | FAILED | CANCELLED | QUEUED (lease lost or released)
 * </pre>
 */
public enum JobStatus {

	/** Waiting for a worker to claim it. */
	QUEUED,

	/** Claimed by a worker, which holds its lease. */
	RUNNING,

	/** Every request has a final outcome; some may have failed. */
	COMPLETED,

	/** The job as a whole failed: deadline exceeded, fail-fast tripped, or an internal error. */
	FAILED,

	/** Cancelled on request; requests without an outcome were marked cancelled. */
	CANCELLED;

	private static final Map<JobStatus, Set<JobStatus>> TRANSITIONS;

	static {
		Map<JobStatus, Set<JobStatus>> transitions = new EnumMap<>(JobStatus.class);
		transitions.put(QUEUED, Collections.unmodifiableSet(EnumSet.of(RUNNING, CANCELLED)));
		transitions.put(RUNNING, Collections.unmodifiableSet(EnumSet.of(COMPLETED, FAILED, CANCELLED, QUEUED)));
		transitions.put(COMPLETED, Collections.unmodifiableSet(EnumSet.noneOf(JobStatus.class)));
		transitions.put(FAILED, Collections.unmodifiableSet(EnumSet.noneOf(JobStatus.class)));
		transitions.put(CANCELLED, Collections.unmodifiableSet(EnumSet.noneOf(JobStatus.class)));
		TRANSITIONS = Collections.unmodifiableMap(transitions);
	}

	/** Whether a job in this status will never change again. */
	public boolean isTerminal() {
		return TRANSITIONS.get(this).isEmpty();
	}

	/** The statuses a job in this status may move to. */
	public Set<JobStatus> next() {
		return TRANSITIONS.get(this);
	}

	/** The statuses a job may move to {@code target} from. */
	public static Set<JobStatus> from(JobStatus target) {
		Set<JobStatus> sources = EnumSet.noneOf(JobStatus.class);
		TRANSITIONS.forEach((source, targets) -> {
			if (targets.contains(target)) {
				sources.add(source);
			}
		});
		return Collections.unmodifiableSet(sources);
	}

	/** The statuses a job never leaves. */
	public static Set<JobStatus> terminal() {
		Set<JobStatus> terminal = EnumSet.noneOf(JobStatus.class);
		for (JobStatus status : values()) {
			if (status.isTerminal()) {
				terminal.add(status);
			}
		}
		return Collections.unmodifiableSet(terminal);
	}

	/** Whether a job in this status may move to {@code target}. */
	public boolean canTransitionTo(JobStatus target) {
		return TRANSITIONS.get(this).contains(target);
	}

	/**
	 * Checks that a job in this status may move to {@code target}.
	 * @param jobId the job, for the exception's context; may be null when checking a rule
	 * @throws IllegalTransitionException if the transition is not in the table
	 */
	public void checkTransition(@Nullable UUID jobId, JobStatus target) {
		if (!canTransitionTo(target)) {
			throw new IllegalTransitionException(jobId, this, target);
		}
	}

}
