package io.fanout.scheduler;

import java.util.Set;
import java.util.UUID;

import io.fanout.fetch.OutcomeKind;

/** A rerun whose outcome filter matches none of the job's results: there is nothing to run again. */
public class NothingToRerunException extends SchedulerException {

	private final Set<OutcomeKind> outcomes;

	public NothingToRerunException(UUID jobId, Set<OutcomeKind> outcomes) {
		super(jobId, "job " + jobId + " has no result with outcome " + String.join(", ",
				outcomes.stream().sorted().map(Enum::name).toList()) + "; there is nothing to rerun");
		this.outcomes = Set.copyOf(outcomes);
	}

	/** The outcomes asked for. */
	public Set<OutcomeKind> outcomes() {
		return this.outcomes;
	}

}
