package io.fanout.api.openapi;

/**
 * Formats of the OpenAPI document that JSON Schema has no exact name for, as patterns that validators
 * and linters check.
 */
public final class OpenApiFormats {

	/**
	 * An ISO-8601 duration as the API reads and writes it ({@code java.time.Duration}): days, hours,
	 * minutes and seconds with up to nine decimals ({@code PT10S}, {@code PT0.2S}, {@code PT5M},
	 * {@code P1D}). JSON Schema's {@code format: duration} allows no fraction of a second, which the
	 * API writes (a 200 ms backoff is {@code PT0.2S}), and allows years, months and weeks, which it
	 * refuses.
	 */
	public static final String DURATION = "^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d{1,9})?S)?)?$";

	private OpenApiFormats() {
	}

}
