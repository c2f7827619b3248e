package io.fanout.scheduler;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One page of a job's results, in request order.
 *
 * @param items the results
 * @param nextCursor pass as {@link ResultQuery#cursor()} for the next page; null on the last page
 */
public record ResultPage(List<JobResult> items, @Nullable Integer nextCursor) {

	public ResultPage {
		items = List.copyOf(items);
	}

}
