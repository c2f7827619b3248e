package io.fanout.api.jobs;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobResult;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of the live streams of results ({@code GET /api/v1/jobs/{id}/results} as NDJSON
 * or server-sent events), bound by name. A stream is not paged: it has no {@code limit} or
 * {@code cursor}.
 *
 * @param outcome only results with one of these outcomes
 * @param includeBody whether results carry their response bodies
 */
record ResultStreamParameters(@Parameter(description = OUTCOME) @Nullable List<OutcomeKind> outcome,
		@Parameter(description = INCLUDE_BODY, schema = @Schema(type = "boolean", defaultValue = "false"))
		@Nullable Boolean includeBody) {

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

	static Set<OutcomeKind> outcomes(@Nullable List<OutcomeKind> outcome) {
		return (outcome != null) ? Set.copyOf(outcome) : Set.of();
	}

}
