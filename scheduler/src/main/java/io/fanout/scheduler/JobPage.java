package io.fanout.scheduler;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One page of jobs, newest first.
 *
 * @param items the jobs
 * @param nextCursor pass as {@link JobQuery#cursor()} for the next page; null on the last page
 */
public record JobPage(List<Job> items, @Nullable UUID nextCursor) {

	public JobPage {
		items = List.copyOf(items);
	}

}
