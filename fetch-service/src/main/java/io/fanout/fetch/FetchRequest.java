package io.fanout.fetch;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.fanout.fetch.extract.Extraction;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request of a batch. Validated when constructed: an instance can always be sent.
 *
 * @param url absolute {@code http} or {@code https} URL
 * @param method HTTP method, upper case
 * @param headers request headers; may carry secrets, so they are never logged or echoed
 * @param body optional request body, sent as UTF-8
 * @param extract named extraction rules: JSONPath ({@code $.a.b}) or a CSS selector, optionally
 * ending in {@code @attribute} ({@code a.next@href})
 */
public record FetchRequest(URI url, String method, Map<String, String> headers, @Nullable String body,
		Map<String, String> extract) {

	/** Methods a job may use. CONNECT and TRACE are not among them. */
	public static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

	/**
	 * Headers that frame or route the message. Fanout sets them itself; letting a job set them would
	 * allow request smuggling or hanging connections.
	 */
	public static final Set<String> RESERVED_HEADERS = Set.of("connection", "content-length", "expect", "host",
			"keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

	private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

	public FetchRequest {
		if (url == null) {
			throw new InvalidFetchRequestException("url", "url is required");
		}
		String scheme = url.getScheme();
		if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
			throw new InvalidFetchRequestException("url", "only absolute http and https URLs are allowed");
		}
		if (url.getHost() == null || url.getHost().isEmpty()) {
			throw new InvalidFetchRequestException("url", "the URL has no host");
		}
		if (url.getRawUserInfo() != null) {
			throw new InvalidFetchRequestException("url", "credentials in the URL are not allowed; use a header");
		}
		method = (method == null || method.isBlank()) ? "GET" : method.strip().toUpperCase(Locale.ROOT);
		if (!METHODS.contains(method)) {
			throw new InvalidFetchRequestException("method", "method must be one of " + METHODS.stream().sorted().toList());
		}
		headers = copyHeaders(headers);
		extract = copyRules(extract);
	}

	/** A GET of the given URL, no headers, no body, no extraction. */
	public static FetchRequest get(String url) {
		return new FetchRequest(parseUrl(url), "GET", Map.of(), null, Map.of());
	}

	/** The same request with these extraction rules. */
	public FetchRequest withExtract(Map<String, String> rules) {
		return new FetchRequest(this.url, this.method, this.headers, this.body, rules);
	}

	/** Parses a URL the way requests expect, reporting failures on the {@code url} field. */
	public static URI parseUrl(String url) {
		if (url == null || url.isBlank()) {
			throw new InvalidFetchRequestException("url", "url is required");
		}
		try {
			return new URI(url.strip());
		}
		catch (Exception ex) {
			throw new InvalidFetchRequestException("url", "not a valid URL: " + ex.getMessage());
		}
	}

	@Override
	public String toString() {
		// Headers can hold credentials for the upstream: never print them.
		return "FetchRequest[" + this.method + " " + this.url + ", " + this.headers.size() + " header(s)]";
	}

	private static Map<String, String> copyHeaders(@Nullable Map<String, String> headers) {
		if (headers == null || headers.isEmpty()) {
			return Map.of();
		}
		Map<String, String> copy = new LinkedHashMap<>();
		headers.forEach((name, value) -> {
			if (name == null || !TOKEN.matcher(name).matches()) {
				throw new InvalidFetchRequestException("headers", "invalid header name '" + name + "'");
			}
			if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
				throw new InvalidFetchRequestException("headers." + name, "header " + name + " is set by Fanout");
			}
			if (value == null || !isFieldValue(value)) {
				throw new InvalidFetchRequestException("headers." + name,
						"header value must be one line of visible characters, spaces and tabs (RFC 9110 field-value)");
			}
			copy.put(name, value);
		});
		return Collections.unmodifiableMap(copy);
	}

	/**
	 * RFC 9110's field-value: visible ASCII, space, horizontal tab and obs-text (0x80 to 0xFF); no
	 * other control character, and nothing a header cannot carry as ISO-8859-1.
	 */
	static boolean isFieldValue(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			boolean allowed = c == '\t' || (c >= 0x20 && c != 0x7F && c <= 0xFF);
			if (!allowed) {
				return false;
			}
		}
		return true;
	}

	private static Map<String, String> copyRules(@Nullable Map<String, String> rules) {
		if (rules == null || rules.isEmpty()) {
			return Map.of();
		}
		Map<String, String> copy = new LinkedHashMap<>();
		rules.forEach((name, rule) -> {
			if (name == null || name.isBlank()) {
				throw new InvalidFetchRequestException("extract", "extraction names must not be blank");
			}
			Extraction.validate("extract." + name, rule);
			copy.put(name, rule.strip());
		});
		return Collections.unmodifiableMap(copy);
	}

}
