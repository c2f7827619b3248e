package io.fanout.api.schedules;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.fanout.api.jobs.PageParameters;
import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.scheduler.ScheduleQuery;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of {@code GET /api/v1/schedules}, bound by name. A limit that is no integer is
 * refused while binding; {@link #toQuery()} checks the rest.
 *
 * @param limit most schedules on the page
 * @param cursor the previous page's {@code nextCursor}
 */
record ScheduleListParameters(
		@Parameter(description = "Most schedules on the page, 1 to 1000.", schema = @Schema(type = "integer",
				format = "int32", minimum = "1", maximum = "1000", defaultValue = "50")) @Nullable Integer limit,
		@Parameter(description = PageParameters.CURSOR) @Nullable String cursor) {

	/**
	 * The scheduler's query for these parameters.
	 *
	 * @throws InvalidRequestException naming every invalid parameter
	 */
	ScheduleQuery toQuery() {
		List<InvalidField> errors = new ArrayList<>();
		int size = PageParameters.limit(this.limit, ScheduleQuery.DEFAULT_LIMIT, ScheduleQuery.MAX_LIMIT, errors);
		UUID after = PageParameters.idCursor(this.cursor, errors);
		if (!errors.isEmpty()) {
			throw new InvalidRequestException(errors);
		}
		return new ScheduleQuery(after, size);
	}

}
