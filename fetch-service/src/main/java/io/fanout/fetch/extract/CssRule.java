package io.fanout.fetch.extract;

import io.fanout.fetch.InvalidFetchRequestException;
import org.jsoup.nodes.Element;
import org.jsoup.select.Evaluator;
import org.jsoup.select.QueryParser;
import org.jsoup.select.Selector;
import org.jspecify.annotations.Nullable;

/** A CSS selector rule, giving the first match's text or, with {@code @name}, its attribute. */
record CssRule(Evaluator selector, @Nullable String attribute) implements Rule {

	static CssRule parse(String field, String text) {
		String selector = text;
		String attribute = null;
		int at = text.lastIndexOf('@');
		if (at >= 0) {
			selector = text.substring(0, at).strip();
			attribute = text.substring(at + 1).strip();
			if (attribute.isEmpty() || !attribute.matches("[A-Za-z_:][-A-Za-z0-9_:.]*")) {
				throw new InvalidFetchRequestException(field, "invalid attribute name after '@' in '" + text + "'");
			}
		}
		if (selector.isEmpty()) {
			throw new InvalidFetchRequestException(field, "CSS selector must not be empty");
		}
		try {
			return new CssRule(QueryParser.parse(selector), attribute);
		}
		catch (Selector.SelectorParseException | IllegalArgumentException ex) {
			throw new InvalidFetchRequestException(field, "invalid CSS selector '" + selector + "': " + ex.getMessage());
		}
	}

	@Override
	public @Nullable Object evaluate(ParsedBody body) {
		Element match;
		try {
			match = body.html().selectFirst(this.selector);
		}
		catch (RuntimeException ex) {
			return null;
		}
		if (match == null) {
			return null;
		}
		if (this.attribute == null) {
			return match.text();
		}
		return match.hasAttr(this.attribute) ? match.attr(this.attribute) : null;
	}

}
