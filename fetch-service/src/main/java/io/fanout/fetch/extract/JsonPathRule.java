package io.fanout.fetch.extract;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import io.fanout.fetch.InvalidFetchRequestException;
import org.jspecify.annotations.Nullable;

/** A JSONPath rule ({@code $.current_condition.tmp}). */
record JsonPathRule(JsonPath path) implements Rule {

	static JsonPathRule parse(String field, String text) {
		try {
			return new JsonPathRule(JsonPath.compile(text));
		}
		catch (InvalidPathException | IllegalArgumentException ex) {
			throw new InvalidFetchRequestException(field, "invalid JSONPath '" + text + "': " + ex.getMessage());
		}
	}

	@Override
	public @Nullable Object evaluate(ParsedBody body) {
		Object document = body.json();
		if (document == null) {
			return null;
		}
		try {
			return this.path.read(document, body.jsonConfiguration());
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
