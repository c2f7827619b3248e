package io.fanout.api.jobs;

import java.util.List;
import java.util.UUID;

import io.fanout.api.problems.InvalidField;
import org.jspecify.annotations.Nullable;

/**
 * The {@code limit} and {@code cursor} query parameters that every list takes, checked the same way
 * for jobs, results and schedules. Each check adds what is wrong to {@code errors}, so that a request
 * hears of every invalid parameter at once.
 */
public final class PageParameters {

	/** The description of every {@code cursor} parameter. */
	public static final String CURSOR = "`nextCursor` of the previous page.";

	private static final String NOT_A_CURSOR = "is not a cursor this API issued";

	private PageParameters() {
	}

	/** The page size asked for, or {@code defaultLimit} when none was. */
	public static int limit(@Nullable Integer limit, int defaultLimit, int maxLimit, List<InvalidField> errors) {
		int size = (limit != null) ? limit : defaultLimit;
		if (size < 1 || size > maxLimit) {
			errors.add(new InvalidField("limit", "must be between 1 and " + maxLimit));
		}
		return size;
	}

	/** The cursor of a list ordered by id (jobs, schedules); null for the first page or when invalid. */
	public static @Nullable UUID idCursor(@Nullable String cursor, List<InvalidField> errors) {
		if (cursor == null) {
			return null;
		}
		try {
			return UUID.fromString(cursor);
		}
		catch (IllegalArgumentException ex) {
			errors.add(new InvalidField("cursor", NOT_A_CURSOR));
			return null;
		}
	}

	/** The cursor of a list ordered by index (results); null for the first page or when invalid. */
	static @Nullable Integer indexCursor(@Nullable String cursor, List<InvalidField> errors) {
		if (cursor == null) {
			return null;
		}
		Integer index = null;
		try {
			index = Integer.valueOf(cursor);
		}
		catch (NumberFormatException ex) {
			// Reported below, as a negative index is.
		}
		if (index == null || index < 0) {
			errors.add(new InvalidField("cursor", NOT_A_CURSOR));
			return null;
		}
		return index;
	}

}
