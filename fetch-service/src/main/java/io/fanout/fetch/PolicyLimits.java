package io.fanout.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.extract.Extraction;

/**
 * What the server allows a submission to ask for, beyond the limits every {@link FetchPolicy} and
 * {@link FetchRequest} has.
 *
 * @param maxBodySize largest {@code maxBodySize} a submission may ask for
 * @param maxRules most extraction rules on one request
 * @param maxRuleLength longest extraction rule
 */
public record PolicyLimits(long maxBodySize, int maxRules, int maxRuleLength) {

	/** Extraction rules allowed per request when nothing else is configured. */
	public static final int DEFAULT_MAX_RULES = 20;

	public PolicyLimits {
		if (maxBodySize < 0 || maxRules < 0 || maxRuleLength < 1) {
			throw new IllegalArgumentException("limits must not be negative, and a rule may have a character");
		}
	}

	/** These body limits, with the default extraction limits. */
	public PolicyLimits(long maxBodySize) {
		this(maxBodySize, DEFAULT_MAX_RULES, Extraction.MAX_RULE_LENGTH);
	}

	/**
	 * What is wrong with the extraction rules of a request, every one, their fields relative to it:
	 * too many, too long, or reading a regular expression.
	 */
	public List<Violation> checkRules(Map<String, String> rules) {
		List<Violation> violations = new ArrayList<>();
		if (rules.size() > this.maxRules) {
			violations.add(new Violation("extract", "at most " + this.maxRules + " extraction rules are allowed on one "
					+ "request, not " + rules.size()));
		}
		rules.forEach((name, rule) -> {
			if (rule.length() > this.maxRuleLength) {
				violations.add(new Violation("extract." + name, "extraction rule is longer than " + this.maxRuleLength));
			}
			String refusal = Extraction.refusal(rule);
			if (refusal != null) {
				violations.add(new Violation("extract." + name, refusal));
			}
		});
		return violations;
	}

}
