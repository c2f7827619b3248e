package io.fanout.api.schedules;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.jobs.PageResponses;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A page of schedules, newest first.
 *
 * @param items the schedules
 * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
 * @param links this page and the next
 */
@Schema(name = "SchedulePage", description = "A page of schedules, newest first.",
		requiredProperties = { "items", "links" })
@JsonInclude(JsonInclude.Include.NON_NULL)
record SchedulePageResponse(List<ScheduleResponse> items,
		@Schema(description = "Pass as `cursor` for the next page; absent on the last page.",
				example = "019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a") @Nullable String nextCursor,
		PageResponses.PageLinks links) {
}
