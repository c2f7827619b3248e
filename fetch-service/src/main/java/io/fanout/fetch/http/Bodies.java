package io.fanout.fetch.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/** Decides whether a body is text, and decodes it. */
final class Bodies {

	private Bodies() {
	}

	/** Whether a body of this content type is text: a textual type, or none given. */
	static boolean isText(@Nullable String contentType) {
		return contentType == null || isTextual(contentType);
	}

	/** The response's body as text, in its charset (UTF-8 unless it names another). */
	static String text(RawResponse response) {
		return new String(response.body(), 0, response.length(), charset(response.contentType()));
	}

	static boolean isTextual(String contentType) {
		String type = contentType.toLowerCase(Locale.ROOT);
		int semicolon = type.indexOf(';');
		String mime = ((semicolon < 0) ? type : type.substring(0, semicolon)).strip();
		return mime.startsWith("text/") || mime.endsWith("+json") || mime.endsWith("+xml")
				|| mime.equals("application/json") || mime.equals("application/xml")
				|| mime.equals("application/javascript") || mime.equals("application/x-ndjson")
				|| mime.equals("application/x-www-form-urlencoded") || mime.equals("application/yaml");
	}

	private static Charset charset(@Nullable String contentType) {
		if (contentType != null) {
			for (String part : contentType.split(";")) {
				String param = part.strip();
				if (param.regionMatches(true, 0, "charset=", 0, 8)) {
					try {
						return Charset.forName(param.substring(8).replace("\"", "").strip());
					}
					catch (RuntimeException ex) {
						return StandardCharsets.UTF_8;
					}
				}
			}
		}
		return StandardCharsets.UTF_8;
	}

}
