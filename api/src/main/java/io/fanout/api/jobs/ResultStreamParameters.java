package io.fanout.api.jobs;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobResult;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of the live streams of results ({@code GET /api/v1/jobs/{id}/results} as NDJSON
 * or server-sent events), bound by name. A stream is not paged: it has no {@code limit} or
 * {@code cursor}, but it resumes {@code after} a position.
 *
 * @param outcome only results with one of these outcomes
 * @param includeBody whether results carry their response bodies
 * @param after the {@code position} of the last result received: the stream resumes after it
 */
record ResultStreamParameters(@Parameter(description = OUTCOME) @Nullable List<OutcomeKind> outcome,
		@Parameter(description = INCLUDE_BODY, schema = @Schema(type = "boolean", defaultValue = "false"))
		@Nullable Boolean includeBody,
		@Parameter(description = AFTER, schema = @Schema(type = "integer", format = "int32", minimum = "0",
				defaultValue = "0")) @Nullable Integer after) {

	static final String AFTER = "Resume after this position: the `position` of the last result received (for "
			+ "server-sent events, `Last-Event-ID` takes precedence). 0, the default, starts with the first result.";

	static final String OUTCOME = "Only results with these outcomes (repeat the parameter or separate with commas).";

	static final String INCLUDE_BODY = "Whether to include response bodies.";

	/** Which results the stream carries. */
	Predicate<JobResult> filter() {
		Set<OutcomeKind> kinds = outcomes(this.outcome);
		return (result) -> kinds.isEmpty() || kinds.contains(result.outcome());
	}

	/** Whether the results carry their bodies. */
	boolean withBodies() {
		return Boolean.TRUE.equals(this.includeBody);
	}

	/**
	 * Where the stream starts: after {@code lastEventId} if the client sent one, else after
	 * {@code after}.
	 * @throws InvalidRequestException if {@code after} is negative
	 */
	int resumeAfter(@Nullable Long lastEventId) {
		if (lastEventId != null) {
			return (int) Math.max(0, Math.min(Integer.MAX_VALUE, lastEventId));
		}
		if (this.after != null && this.after < 0) {
			throw new InvalidRequestException(List.of(new InvalidField("after", "must be 0 or more")));
		}
		return (this.after != null) ? this.after : 0;
	}

	static Set<OutcomeKind> outcomes(@Nullable List<OutcomeKind> outcome) {
		return (outcome != null) ? Set.copyOf(outcome) : Set.of();
	}

}
