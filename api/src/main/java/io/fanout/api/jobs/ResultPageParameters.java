package io.fanout.api.jobs;

import java.util.ArrayList;
import java.util.List;

import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.ResultQuery;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of a page of results ({@code GET /api/v1/jobs/{id}/results} as JSON), bound by
 * name. Values that do not convert are refused while binding; {@link #toQuery()} checks the rest.
 *
 * @param outcome only results with one of these outcomes
 * @param limit most results on the page
 * @param cursor the previous page's {@code nextCursor}
 * @param includeBody whether results carry their response bodies
 */
record ResultPageParameters(
		@Parameter(description = ResultStreamParameters.OUTCOME) @Nullable List<OutcomeKind> outcome,
		@Parameter(description = "Most results on the page, 1 to 1000.", schema = @Schema(type = "integer",
				format = "int32", minimum = "1", maximum = "1000", defaultValue = "100")) @Nullable Integer limit,
		@Parameter(description = PageParameters.CURSOR) @Nullable String cursor,
		@Parameter(description = ResultStreamParameters.INCLUDE_BODY,
				schema = @Schema(type = "boolean", defaultValue = "false")) @Nullable Boolean includeBody) {

	/**
	 * The scheduler's query for these parameters.
	 *
	 * @throws InvalidRequestException naming every invalid parameter
	 */
	ResultQuery toQuery() {
		List<InvalidField> errors = new ArrayList<>();
		int size = PageParameters.limit(this.limit, ResultQuery.DEFAULT_LIMIT, ResultQuery.MAX_LIMIT, errors);
		Integer after = PageParameters.indexCursor(this.cursor, errors);
		if (!errors.isEmpty()) {
			throw new InvalidRequestException(errors);
		}
		return new ResultQuery(ResultStreamParameters.outcomes(this.outcome), after, size, withBodies());
	}

	/** Whether the results carry their bodies. */
	boolean withBodies() {
		return Boolean.TRUE.equals(this.includeBody);
	}

}
