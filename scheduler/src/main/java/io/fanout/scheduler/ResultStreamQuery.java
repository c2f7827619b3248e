package io.fanout.scheduler;

/**
 * Where a live stream of a job's results starts and what its results carry.
 *
 * @param after how many results, in storage order, the client already has: the stream starts with
 * the one stored after them ({@link StreamedResult#position()} of the last one received); 0 for all
 * @param withBodies whether the results carry their stored bodies; without, bodies are not even read
 */
public record ResultStreamQuery(int after, boolean withBodies) {

	public ResultStreamQuery {
		if (after < 0) {
			throw new IllegalArgumentException("after must not be negative");
		}
	}

	/** Every result, from the first stored, without bodies. */
	public static ResultStreamQuery all() {
		return new ResultStreamQuery(0, false);
	}

}
