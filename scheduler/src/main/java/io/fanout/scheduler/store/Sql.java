package io.fanout.scheduler.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/** Reading rows and binding values the same way in every store. */
final class Sql {

	private Sql() {
	}

	static <T> T required(Readable row, String column, Class<T> type) {
		T value = row.get(column, type);
		if (value == null) {
			throw new IllegalStateException("column " + column + " is null");
		}
		return value;
	}

	static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	static Instant requiredInstant(Readable row, String column) {
		return required(row, column, OffsetDateTime.class).toInstant();
	}

	/** Both databases keep microseconds; truncating first makes what is returned equal what is stored. */
	static Instant micros(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

	static OffsetDateTime timestamp(Instant instant) {
		return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	static GenericExecuteSpec bind(GenericExecuteSpec spec, String name, @Nullable Object value, Class<?> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

}
