package io.fanout.scheduler;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import io.fanout.fetch.OutcomeKind;
import org.jspecify.annotations.Nullable;

/**
 * Which results of a job to read, by request index, one page at a time. A page holds at most
 * {@code limit} results and, past its first, at most {@code fanout.scheduler.max-page-bytes}.
 *
 * @param outcomes only results that ended in one of these ways; empty for all
 * @param cursor the {@link ResultPage#nextCursor()} of the previous page; null for the first page
 * @param limit most results on the page, 1 to {@value #MAX_LIMIT}
 * @param withBodies whether the results carry their stored bodies; without, bodies are not even read
 */
public record ResultQuery(Set<OutcomeKind> outcomes, @Nullable Integer cursor, int limit, boolean withBodies) {

	/** Most results on one page. */
	public static final int MAX_LIMIT = 1000;

	/** Page size when none is given. */
	public static final int DEFAULT_LIMIT = 100;

	public ResultQuery {
		outcomes = (outcomes == null || outcomes.isEmpty()) ? Set.of()
				: Collections.unmodifiableSet(EnumSet.copyOf(outcomes));
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
		}
	}

	/** A query for results without their bodies. */
	public ResultQuery(Set<OutcomeKind> outcomes, @Nullable Integer cursor, int limit) {
		this(outcomes, cursor, limit, false);
	}

	/** The first page of all results, {@value #DEFAULT_LIMIT} at a time, without bodies. */
	public static ResultQuery all() {
		return new ResultQuery(Set.of(), null, DEFAULT_LIMIT, false);
	}

	public ResultQuery withOutcomes(Set<OutcomeKind> outcomes) {
		return new ResultQuery(outcomes, this.cursor, this.limit, this.withBodies);
	}

	public ResultQuery withCursor(@Nullable Integer cursor) {
		return new ResultQuery(this.outcomes, cursor, this.limit, this.withBodies);
	}

	public ResultQuery withLimit(int limit) {
		return new ResultQuery(this.outcomes, this.cursor, limit, this.withBodies);
	}

	public ResultQuery withBodies(boolean withBodies) {
		return new ResultQuery(this.outcomes, this.cursor, this.limit, withBodies);
	}

}
