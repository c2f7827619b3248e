package io.fanout.api.jobs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobStatus;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The query parameters of {@code GET /api/v1/jobs}, bound by name. Values that do not convert (an
 * unknown status, a schedule id that is no UUID) are refused while binding; {@link #toQuery()} checks
 * the rest.
 *
 * @param status only jobs in one of these statuses
 * @param label only jobs with every one of these labels, each {@code key:value}
 * @param scheduleId only jobs submitted by this schedule
 * @param name only jobs of exactly this name
 * @param limit most jobs on the page
 * @param cursor the previous page's {@code nextCursor}
 */
record JobListParameters(
		@Parameter(description = "Only jobs in these statuses (repeat the parameter or separate with commas).")
		@Nullable List<JobStatus> status,
		@Parameter(description = "Only jobs with this label, as `key:value` (repeat for several).",
				array = @ArraySchema(schema = @Schema(type = "string", example = "team:weather")))
		@Nullable List<String> label,
		@Parameter(description = "Only jobs submitted by this schedule.") @Nullable UUID scheduleId,
		@Parameter(description = "Only jobs of exactly this name.", example = "weather") @Nullable String name,
		@Parameter(description = "Most jobs on the page, 1 to 1000.", schema = @Schema(type = "integer",
				format = "int32", minimum = "1", maximum = "1000", defaultValue = "50")) @Nullable Integer limit,
		@Parameter(description = PageParameters.CURSOR) @Nullable String cursor) {

	/**
	 * The scheduler's query for these parameters.
	 *
	 * @throws InvalidRequestException naming every invalid parameter
	 */
	JobQuery toQuery() {
		List<InvalidField> errors = new ArrayList<>();
		int size = PageParameters.limit(this.limit, JobQuery.DEFAULT_LIMIT, JobQuery.MAX_LIMIT, errors);
		UUID after = PageParameters.idCursor(this.cursor, errors);
		Map<String, String> labels = new LinkedHashMap<>();
		for (String pair : (this.label != null) ? this.label : List.<String>of()) {
			int colon = pair.indexOf(':');
			if (colon < 1) {
				errors.add(new InvalidField("label", "'" + pair + "' is not key:value"));
				continue;
			}
			labels.put(pair.substring(0, colon), pair.substring(colon + 1));
		}
		if (!errors.isEmpty()) {
			throw new InvalidRequestException(errors);
		}
		return new JobQuery((this.status != null) ? Set.copyOf(this.status) : Set.of(), labels, this.scheduleId,
				(this.name != null && !this.name.isEmpty()) ? this.name : null, after, size);
	}

}
