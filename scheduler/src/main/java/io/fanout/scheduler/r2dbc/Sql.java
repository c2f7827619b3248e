package io.fanout.scheduler.r2dbc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** Reading rows and binding values the same way in every store. */
public final class Sql {

	private Sql() {
	}

	public static <T> T required(Readable row, String column, Class<T> type) {
		T value = row.get(column, type);
		if (value == null) {
			throw new IllegalStateException("column " + column + " is null");
		}
		return value;
	}

	public static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	public static Instant requiredInstant(Readable row, String column) {
		return required(row, column, OffsetDateTime.class).toInstant();
	}

	/** Both databases keep microseconds; truncating first makes what is returned equal what is stored. */
	public static Instant micros(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

	public static OffsetDateTime timestamp(Instant instant) {
		return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	public static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, @Nullable Object value, Class<?> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

	/**
	 * A page from rows read with {@code LIMIT limit + 1}: the first {@code limit} rows and, when there
	 * was one more, the cursor of the last row kept, from which the next page starts.
	 */
	public static <T, C, P> P page(List<T> rows, int limit, Function<T, C> cursorOf,
			BiFunction<List<T>, @Nullable C, P> page) {
		if (rows.size() <= limit) {
			return page.apply(rows, null);
		}
		List<T> kept = rows.subList(0, limit);
		return page.apply(kept, cursorOf.apply(kept.get(limit - 1)));
	}

}
