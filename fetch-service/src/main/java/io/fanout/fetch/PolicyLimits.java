package io.fanout.fetch;

import java.time.Duration;
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
 * @param maxTimeout longest {@code timeout} a submission may ask for
 * @param maxBackoff longest {@code retry.maxBackoff} a submission may ask for
 */
public record PolicyLimits(long maxBodySize, int maxRules, int maxRuleLength, Duration maxTimeout,
		Duration maxBackoff) {

	/** Longest timeout allowed when nothing else is configured. */
	public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofMinutes(5);

	/** Longest backoff allowed when nothing else is configured. */
	public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

	/** Extraction rules allowed per request when nothing else is configured. */
	public static final int DEFAULT_MAX_RULES = 20;

	public PolicyLimits {
		if (maxBodySize < 0 || maxRules < 0 || maxRuleLength < 1) {
			throw new IllegalArgumentException("limits must not be negative, and a rule may have a character");
		}
		if (maxTimeout == null || maxTimeout.isNegative() || maxTimeout.isZero() || maxBackoff == null || maxBackoff.isNegative()) {
			throw new IllegalArgumentException("the longest timeout must be positive, the longest backoff not negative");
		}
	}

	/** This body limit, with the default limits for the rest. */
	public PolicyLimits(long maxBodySize) {
		this(maxBodySize, DEFAULT_MAX_RULES, Extraction.MAX_RULE_LENGTH, DEFAULT_MAX_TIMEOUT, DEFAULT_MAX_BACKOFF);
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
