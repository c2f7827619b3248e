package io.fanout.scheduler;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One page of schedules, newest first.
 *
 * @param items the schedules
 * @param nextCursor pass as {@link ScheduleQuery#cursor()} for the next page; null on the last page
 */
public record SchedulePage(List<Schedule> items, @Nullable UUID nextCursor) {

	public SchedulePage {
		items = List.copyOf(items);
	}

}
