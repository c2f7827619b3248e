package io.fanout.scheduler;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import io.fanout.fetch.OutcomeKind;

/**
 * How far a job got: its request count and how many requests ended in each way.
 *
 * @param total requests in the job
 * @param counts requests with a stored outcome, per outcome kind (every kind present)
 */
public record JobProgress(int total, Map<OutcomeKind, Integer> counts) {

	public JobProgress {
		Map<OutcomeKind, Integer> copy = new EnumMap<>(OutcomeKind.class);
		for (OutcomeKind kind : OutcomeKind.values()) {
			Integer count = (counts != null) ? counts.get(kind) : null;
			copy.put(kind, (count != null) ? count : 0);
		}
		counts = Collections.unmodifiableMap(copy);
	}

	/** No outcome yet. */
	public static JobProgress none(int total) {
		return new JobProgress(total, Map.of());
	}

	/** Requests that ended in this way. */
	public int count(OutcomeKind kind) {
		return this.counts.get(kind);
	}

	/** Requests with a stored outcome. */
	public int done() {
		return this.counts.values().stream().mapToInt(Integer::intValue).sum();
	}

	/** Requests without an outcome yet. */
	public int pending() {
		return Math.max(0, this.total - done());
	}

	/** Requests that ended in anything but success. */
	public int failed() {
		return done() - count(OutcomeKind.SUCCEEDED);
	}

}
