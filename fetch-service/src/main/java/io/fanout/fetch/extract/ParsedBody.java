package io.fanout.fetch.extract;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.Option;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jspecify.annotations.Nullable;

/** A body parsed at most once per kind, however many rules read it. */
final class ParsedBody {

	private static final Object NOT_JSON = new Object();

	private static final Configuration JSON = Configuration.defaultConfiguration()
		.addOptions(Option.SUPPRESS_EXCEPTIONS);

	private final String text;

	private @Nullable Object json;

	private @Nullable Document html;

	ParsedBody(String text) {
		this.text = text;
	}

	/** The body as a JSON document, or null when it is not JSON. */
	@Nullable Object json() {
		if (this.json == null) {
			try {
				this.json = JSON.jsonProvider().parse(this.text);
			}
			catch (RuntimeException | StackOverflowError ex) {
				// A body nested deeper than the parser's recursion goes is not JSON anyone can read.
				this.json = NOT_JSON;
			}
		}
		return (this.json == NOT_JSON) ? null : this.json;
	}

	Configuration jsonConfiguration() {
		return JSON;
	}

	Document html() {
		if (this.html == null) {
			this.html = Jsoup.parse(this.text);
		}
		return this.html;
	}

}
