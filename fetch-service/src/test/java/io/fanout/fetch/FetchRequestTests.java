package io.fanout.fetch;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests and policies refuse what cannot run, naming the field. */
class FetchRequestTests {

	@Test
	void defaultsMethodToGetAndNormalisesIt() {
		assertThat(new FetchRequest(URI.create("https://example.com/"), null, null, null, null).method()).isEqualTo("GET");
		assertThat(new FetchRequest(URI.create("https://example.com/"), "post", null, "x", null).method()).isEqualTo("POST");
	}

	@Test
	void refusesNonHttpSchemesRelativeUrlsAndCredentials() {
		assertField(() -> FetchRequest.get("file:///etc/passwd"), "url");
		assertField(() -> FetchRequest.get("/relative"), "url");
		assertField(() -> FetchRequest.get("http:///nohost"), "url");
		assertField(() -> FetchRequest.get("http://user:pw@example.com/"), "url");
		assertField(() -> FetchRequest.get("http://exa mple.com/"), "url");
		assertField(() -> FetchRequest.get(""), "url");
	}

	@Test
	void refusesUnknownMethodsAndBadHeaders() {
		URI url = URI.create("http://example.com/");
		assertField(() -> new FetchRequest(url, "CONNECT", null, null, null), "method");
		assertField(() -> new FetchRequest(url, "GET", Map.of("Bad Header", "x"), null, null), "headers");
		assertField(() -> new FetchRequest(url, "GET", Map.of("X-Split", "a\r\nInjected: yes"), null, null),
				"headers.X-Split");
		assertField(() -> new FetchRequest(url, "GET", Map.of("Transfer-Encoding", "chunked"), null, null),
				"headers.Transfer-Encoding");
		assertField(() -> new FetchRequest(url, "GET", Map.of("host", "internal"), null, null), "headers.host");
	}

	@ParameterizedTest
	@ValueSource(strings = { "a\u0000b", "bell\u0007", "\u001b[31mred", "del\u007f", "form\u000cfeed",
			"vertical\u000btab", "line\nfeed", "carriage\rreturn", "beyond latin-1 \u0100",
			"emoji \uD83D\uDE00" })
	void refusesHeaderValuesWithControlCharactersOrBeyondLatin1(String value) {
		URI url = URI.create("http://example.com/");

		assertThatThrownBy(() -> new FetchRequest(url, "GET", Map.of("X-Value", value), null, null))
			.isInstanceOf(InvalidFetchRequestException.class)
			.hasMessageContaining("RFC 9110 field-value")
			.extracting(e -> ((InvalidFetchRequestException) e).field())
			.isEqualTo("headers.X-Value");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "plain", "with spaces and\ttabs", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
			// obs-text is every octet from 0x80 to 0xFF, as ISO-8859-1 sends these characters.
			"caf\u00e9 na\u00efve \u00ff", "\u0080\u0085\u00a0obs-text", "Bearer eyJhbGciOi.J9.x-_=" })
	void acceptsVisibleCharactersSpacesTabsAndObsText(String value) {
		FetchRequest request = new FetchRequest(URI.create("http://example.com/"), "GET", Map.of("X-Value", value),
				null, null);

		assertThat(request.headers()).containsEntry("X-Value", value);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "X Header", "X:Header", "X\tHeader", "X(1)", "X@Y", "X{1}", "\"quoted\"",
			"X/Y", "X,Y", "X;Y", "X=Y", "X[1]", "X\\Y", "caf\u00e9", "X\u0000", "X\r\nInjected" })
	void refusesHeaderNamesThatAreNotTokens(String name) {
		URI url = URI.create("http://example.com/");

		assertField(() -> new FetchRequest(url, "GET", Map.of(name, "x"), null, null), "headers");
	}

	@Test
	void acceptsEveryTokenCharacterInHeaderNames() {
		String name = "X-Token!#$%&'*+.^_`|~09azAZ";

		assertThat(new FetchRequest(URI.create("http://example.com/"), "GET", Map.of(name, "x"), null, null).headers())
			.containsKey(name);
	}

	@Test
	void refusesBadExtractionRulesNamingTheRule() {
		URI url = URI.create("http://example.com/");
		assertField(() -> new FetchRequest(url, "GET", null, null, Map.of("temp", "$..")), "extract.temp");
		assertField(() -> new FetchRequest(url, "GET", null, null, Map.of("title", "h1 > > b")), "extract.title");
		assertField(() -> new FetchRequest(url, "GET", null, null, Map.of("link", "a@")), "extract.link");
		assertField(() -> new FetchRequest(url, "GET", null, null, Map.of("empty", " ")), "extract.empty");
	}

	@Test
	void policiesRefuseOutOfRangeSettings() {
		assertField(() -> FetchPolicy.DEFAULT.withConcurrency(0), "concurrency");
		assertField(() -> FetchPolicy.DEFAULT.withConcurrency(FetchPolicy.MAX_CONCURRENCY + 1), "concurrency");
		assertField(() -> FetchPolicy.DEFAULT.withTimeout(Duration.ZERO), "timeout");
		assertField(() -> FetchPolicy.DEFAULT.withMaxBodySize(-1), "maxBodySize");
		assertField(() -> FetchPolicy.DEFAULT.withRedirects(true, 6), "maxRedirects");
		assertField(() -> RetryPolicy.of(0, Duration.ZERO, Duration.ZERO), "retry.maxAttempts");
		assertField(() -> RetryPolicy.of(2, Duration.ofSeconds(2), Duration.ofSeconds(1)), "retry.maxBackoff");
	}

	@Test
	void toStringNeverShowsHeaders() {
		FetchRequest request = new FetchRequest(URI.create("http://example.com/"), "GET",
				Map.of("Authorization", "Bearer top-secret"), null, null);

		assertThat(request.toString()).doesNotContain("top-secret").contains("1 header(s)");
	}

	private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
		assertThatThrownBy(call).isInstanceOf(InvalidFetchRequestException.class)
			.extracting(e -> ((InvalidFetchRequestException) e).field())
			.isEqualTo(field);
	}

}
