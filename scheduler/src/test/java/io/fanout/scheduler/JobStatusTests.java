package io.fanout.scheduler;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transition table, pair by pair.
 */
class JobStatusTests {

	@ParameterizedTest(name = "{0} -> {1}: {2}")
	@CsvSource({
			"QUEUED, QUEUED, false", "QUEUED, RUNNING, true", "QUEUED, COMPLETED, false", "QUEUED, FAILED, false",
			"QUEUED, CANCELLED, true",
			"RUNNING, QUEUED, true", "RUNNING, RUNNING, false", "RUNNING, COMPLETED, true", "RUNNING, FAILED, true",
			"RUNNING, CANCELLED, true",
			"COMPLETED, QUEUED, false", "COMPLETED, RUNNING, false", "COMPLETED, COMPLETED, false",
			"COMPLETED, FAILED, false", "COMPLETED, CANCELLED, false",
			"FAILED, QUEUED, false", "FAILED, RUNNING, false", "FAILED, COMPLETED, false", "FAILED, FAILED, false",
			"FAILED, CANCELLED, false",
			"CANCELLED, QUEUED, false", "CANCELLED, RUNNING, false", "CANCELLED, COMPLETED, false",
			"CANCELLED, FAILED, false", "CANCELLED, CANCELLED, false" })
	void transitionIsAllowedOnlyIfInTheTable(JobStatus from, JobStatus to, boolean allowed) {
		assertThat(from.canTransitionTo(to)).isEqualTo(allowed);
		UUID jobId = UUID.randomUUID();
		if (allowed) {
			assertThatNoException().isThrownBy(() -> from.checkTransition(jobId, to));
		}
		else {
			assertThatThrownBy(() -> from.checkTransition(jobId, to)).isInstanceOf(IllegalTransitionException.class)
				.isInstanceOf(IllegalJobStateException.class)
				.satisfies((ex) -> {
					IllegalTransitionException refused = (IllegalTransitionException) ex;
					assertThat(refused.jobId()).isEqualTo(jobId);
					assertThat(refused.status()).isEqualTo(from);
					assertThat(refused.target()).isEqualTo(to);
				})
				.hasMessageContaining(from.name())
				.hasMessageContaining(to.name());
		}
	}

	@Test
	void finishedStatusesAreTerminalAndLeadNowhere() {
		Set<JobStatus> terminal = EnumSet.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED);
		for (JobStatus status : JobStatus.values()) {
			assertThat(status.isTerminal()).isEqualTo(terminal.contains(status));
			assertThat(status.next().isEmpty()).isEqualTo(terminal.contains(status));
		}
	}

}
