package io.fanout.fetch;

import java.util.Objects;

/**
 * Why a fetch failed: a stable kind and a one-line, human-readable message.
 *
 * @param kind the cause category
 * @param message one line, never containing request headers
 */
public record FetchError(ErrorKind kind, String message) {

	public FetchError {
		Objects.requireNonNull(kind, "kind");
		message = (message == null || message.isBlank()) ? kind.name() : oneLine(message);
	}

	private static String oneLine(String text) {
		String line = text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
		return (line.length() > 300) ? line.substring(0, 297) + "..." : line;
	}

}
