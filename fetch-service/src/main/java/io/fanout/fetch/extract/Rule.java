package io.fanout.fetch.extract;

import org.jspecify.annotations.Nullable;

/** One parsed extraction rule. */
sealed interface Rule permits JsonPathRule, CssRule {

	@Nullable Object evaluate(ParsedBody body);

}
