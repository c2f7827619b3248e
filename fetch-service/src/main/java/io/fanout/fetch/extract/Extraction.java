package io.fanout.fetch.extract;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.fanout.fetch.InvalidFetchRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Named extraction rules: a rule starting with {@code $} is JSONPath and reads JSON bodies; any
 * other rule is a CSS selector that reads HTML, giving the first match's text, or with a trailing
 * {@code @name} the first match's attribute ({@code a.next@href}).
 * <p>
 * Rules may not contain regular expressions (JSONPath's {@code =~}, jsoup's {@code :matches…} and
 * {@code [attr~=…]}): a backtracking pattern takes time no budget can stop once it runs. New
 * submissions are refused ({@link #refusal}); a rule stored before the refusal existed still
 * compiles, into one that is never run and fails its response's extraction with the reason.
 * Everything else a rule does is linear in the body it reads.
 */
public final class Extraction {

	/** Longest rule accepted. */
	public static final int MAX_RULE_LENGTH = 500;

	private static final String NO_REGEX = "regular expressions are not allowed in extraction rules (a backtracking "
			+ "pattern can run for hours); use JSONPath comparisons, or CSS :contains()";

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
	 * Why a rule may not be submitted although it parses, or null: it reads a regular expression.
	 * Checked where submissions are checked, with the other limits on rules.
	 */
	public static @Nullable String refusal(String rule) {
		return readsRegex(rule.strip()) ? NO_REGEX : null;
	}

	/** The rules of a request, parsed once, to apply to any number of bodies. */
	public static Rules compile(Map<String, String> rules) {
		Map<String, Rule> parsed = new LinkedHashMap<>();
		String refused = null;
		for (Map.Entry<String, String> rule : rules.entrySet()) {
			String field = "extract." + rule.getKey();
			String reason = (rule.getValue() != null) ? refusal(rule.getValue()) : null;
			if (reason != null) {
				refused = (refused != null) ? refused : field + ": " + reason;
				continue;
			}
			parsed.put(rule.getKey(), parse(field, rule.getValue()));
		}
		return new Rules(parsed, rules.keySet(), refused);
	}

	/**
	 * Applies rules to a body, parsing them again; {@link #compile} them to apply them more than once.
	 * A rule that matches nothing, or a body that is not what the rule reads, yields null for that name.
	 * @param rules name to rule
	 * @param body the response body
	 * @return name to value (JSON-like: strings, numbers, booleans, lists, maps or null)
	 */
	public static Map<String, @Nullable Object> apply(Map<String, String> rules, String body) {
		return compile(rules).apply(body);
	}

	/**
	 * Loads and runs both kinds of rule once on tiny documents: the first use of each library loads
	 * classes for longer than an extraction budget, and should not cost a tenant's first response.
	 */
	public static void warmUp() {
		compile(Map.of("json", "$.a")).apply("{\"a\": 1}");
		compile(Map.of("html", "p")).apply("<p>a</p>");
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

	private static boolean readsRegex(String rule) {
		if (rule.startsWith("$")) {
			return rule.contains("=~");
		}
		String selector = rule.toLowerCase(Locale.ROOT);
		return selector.contains(":matches") || selector.contains("~=");
	}

	/** Parsed rules by name; applying them never throws. */
	public static final class Rules {

		private final Map<String, Rule> rules;

		private final Set<String> names;

		private final @Nullable String refusal;

		private Rules(Map<String, Rule> rules, Set<String> names, @Nullable String refusal) {
			this.rules = rules;
			this.names = Set.copyOf(names);
			this.refusal = refusal;
		}

		/** Whether there is no rule at all. */
		public boolean isEmpty() {
			return this.names.isEmpty();
		}

		/** Why these rules are never applied (one of them is refused), or null. */
		public @Nullable String refusal() {
			return this.refusal;
		}

		/**
		 * The rules' values in this body. CPU work in proportion to the body: never run it on an event
		 * loop (the test suites' BlockHound refuses that).
		 */
		public Map<String, @Nullable Object> apply(String body) {
			if (this.names.isEmpty()) {
				return Map.of();
			}
			if (this.refusal != null) {
				return nothing();
			}
			Map<String, @Nullable Object> values = new LinkedHashMap<>();
			ParsedBody parsed = new ParsedBody(body);
			this.rules.forEach((name, rule) -> values.put(name, evaluate(rule, parsed)));
			return values;
		}

		private static @Nullable Object evaluate(Rule rule, ParsedBody body) {
			try {
				return rule.evaluate(body);
			}
			catch (StackOverflowError ex) {
				// A document nested deeper than the evaluator's recursion goes: nothing to extract.
				return null;
			}
		}

		/** Every rule's name with no value: for a body that was not read. */
		public Map<String, @Nullable Object> nothing() {
			if (this.names.isEmpty()) {
				return Map.of();
			}
			Map<String, @Nullable Object> values = new LinkedHashMap<>();
			this.names.forEach((name) -> values.put(name, null));
			return Collections.unmodifiableMap(values);
		}

	}

}
