package io.fanout.scheduler;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Which page of an owner's schedules to list, newest first.
 *
 * @param cursor the {@link SchedulePage#nextCursor()} of the previous page; null for the first page
 * @param limit most schedules on the page, 1 to {@value #MAX_LIMIT}
 */
public record ScheduleQuery(@Nullable UUID cursor, int limit) {

	/** Most schedules on one page. */
	public static final int MAX_LIMIT = 1000;

	/** Page size when none is given. */
	public static final int DEFAULT_LIMIT = 50;

	public ScheduleQuery {
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
		}
	}

	/** The first page, {@value #DEFAULT_LIMIT} at a time. */
	public static ScheduleQuery first() {
		return new ScheduleQuery(null, DEFAULT_LIMIT);
	}

	public ScheduleQuery withCursor(@Nullable UUID cursor) {
		return new ScheduleQuery(cursor, this.limit);
	}

	public ScheduleQuery withLimit(int limit) {
		return new ScheduleQuery(this.cursor, limit);
	}

}
