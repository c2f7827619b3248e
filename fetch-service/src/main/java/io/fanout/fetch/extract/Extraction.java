package io.fanout.fetch.extract;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fanout.fetch.InvalidFetchRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Named extraction rules: a rule starting with {@code $} is JSONPath and reads JSON bodies; any
 * other rule is a CSS selector that reads HTML, giving the first match's text, or with a trailing
 * {@code @name} the first match's attribute ({@code a.next@href}).
 */
public final class Extraction {

	/** Longest rule accepted. */
	public static final int MAX_RULE_LENGTH = 500;

	private Extraction() {
	}

	/**
	 * Checks that a rule parses, so a bad rule is refused before any request is sent.
	 * @param field the field to name in the error
	 * @param rule the rule text
	 * @throws InvalidFetchRequestException if it does not parse
	 */
	public static void validate(String field, @Nullable String rule) {
		parse(field, rule);
	}

	/**
	 * Applies rules to a body. A rule that matches nothing, or a body that is not what the rule
	 * reads, yields null for that name.
	 * @param rules name to rule
	 * @param body the response body
	 * @return name to value (JSON-like: strings, numbers, booleans, lists, maps or null)
	 */
	public static Map<String, @Nullable Object> apply(Map<String, String> rules, String body) {
		if (rules.isEmpty()) {
			return Map.of();
		}
		Map<String, @Nullable Object> values = new LinkedHashMap<>();
		ParsedBody parsed = new ParsedBody(body);
		rules.forEach((name, rule) -> values.put(name, parse("extract." + name, rule).evaluate(parsed)));
		return values;
	}

	static Rule parse(String field, @Nullable String rule) {
		if (rule == null || rule.isBlank()) {
			throw new InvalidFetchRequestException(field, "extraction rule must not be blank");
		}
		String text = rule.strip();
		if (text.length() > MAX_RULE_LENGTH) {
			throw new InvalidFetchRequestException(field, "extraction rule is longer than " + MAX_RULE_LENGTH);
		}
		return text.startsWith("$") ? JsonPathRule.parse(field, text) : CssRule.parse(field, text);
	}

}
