package io.fanout.scheduler;

/**
 * A result as a live stream delivers it, with its place in the job's storage order.
 *
 * @param position how many results the job had stored up to and including this one (1 for the
 * first): pass it as {@link ResultStreamQuery#after()} to resume after this result
 * @param result the result
 */
public record StreamedResult(int position, JobResult result) {
}
