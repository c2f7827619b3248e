package io.fanout.scheduler;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Which of an owner's jobs to list, newest first, one page at a time.
 *
 * @param statuses only jobs in one of these statuses; empty for all
 * @param labels only jobs carrying every one of these labels
 * @param scheduleId only jobs submitted by this schedule
 * @param name only jobs of exactly this name
 * @param cursor the {@link JobPage#nextCursor()} of the previous page; null for the first page
 * @param limit most jobs on the page, 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(Set<JobStatus> statuses, Map<String, String> labels, @Nullable UUID scheduleId,
		@Nullable String name, @Nullable UUID cursor, int limit) {

	/** Most jobs on one page. */
	public static final int MAX_LIMIT = 1000;

	/** Page size when none is given. */
	public static final int DEFAULT_LIMIT = 50;

	public JobQuery {
		statuses = (statuses == null || statuses.isEmpty()) ? Set.of()
				: Collections.unmodifiableSet(EnumSet.copyOf(statuses));
		labels = (labels == null || labels.isEmpty()) ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
		}
	}

	/** The first page of all jobs, {@value #DEFAULT_LIMIT} at a time. */
	public static JobQuery all() {
		return new JobQuery(Set.of(), Map.of(), null, null, null, DEFAULT_LIMIT);
	}

	public JobQuery withStatuses(Set<JobStatus> statuses) {
		return new JobQuery(statuses, this.labels, this.scheduleId, this.name, this.cursor, this.limit);
	}

	public JobQuery withLabel(String key, String value) {
		Map<String, String> labels = new LinkedHashMap<>(this.labels);
		labels.put(key, value);
		return new JobQuery(this.statuses, labels, this.scheduleId, this.name, this.cursor, this.limit);
	}

	public JobQuery withScheduleId(@Nullable UUID scheduleId) {
		return new JobQuery(this.statuses, this.labels, scheduleId, this.name, this.cursor, this.limit);
	}

	public JobQuery withName(@Nullable String name) {
		return new JobQuery(this.statuses, this.labels, this.scheduleId, name, this.cursor, this.limit);
	}

	public JobQuery withCursor(@Nullable UUID cursor) {
		return new JobQuery(this.statuses, this.labels, this.scheduleId, this.name, cursor, this.limit);
	}

	public JobQuery withLimit(int limit) {
		return new JobQuery(this.statuses, this.labels, this.scheduleId, this.name, this.cursor, limit);
	}

}
