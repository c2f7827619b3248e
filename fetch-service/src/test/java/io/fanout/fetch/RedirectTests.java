package io.fanout.fetch;

import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redirect rules on loopback: an origin is scheme, host and effective port (another port of
 * 127.0.0.1 is another origin); headers cross to another origin only when allow-listed, so
 * credentials of any name stay with their origin; {@code https} to {@code http} is refused unless
 * the policy allows it. The TLS upstream has a self-signed certificate made by {@code keytool} for
 * this run, which the client is told to trust.
 */
class RedirectTests {

	private static final FetchPolicy FOLLOWING = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10))
		.withRedirects(true, 3);

	/** Credentials under common names, and two harmless headers that may cross origins. */
	private static final Map<String, String> HEADERS = orderedMap("Authorization", "Bearer s3cret", "X-API-Key",
			"key-1", "X-Auth-Token", "token-1", "Cookie", "session=abc", "Accept", "application/json",
			"Accept-Language", "fr");

	private static KeyManagerFactory serverKeys;

	private static SslContext clientTrust;

	private final Upstream plain = new Upstream(null);

	private final Upstream otherPlain = new Upstream(null);

	private final Upstream secure = new Upstream(serverKeys);

	private ReactorFetchClient client = clientBuilder().build();

	@BeforeAll
	static void makeCertificate(@TempDir Path dir) throws Exception {
		Path store = dir.resolve("upstream.p12");
		char[] password = "changeit".toCharArray();
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
				store.toString(), "-storepass", new String(password))
			.redirectErrorStream(true)
			.start();
		String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
		assertThat(keytool.exitValue()).as(output).isZero();
		KeyStore keys = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(store)) {
			keys.load(in, password);
		}
		serverKeys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		serverKeys.init(keys, password);
		clientTrust = SslContextBuilder.forClient()
			.trustManager((X509Certificate) keys.getCertificate("upstream"))
			.build();
	}

	@AfterEach
	void close() {
		this.client.close();
		this.plain.close();
		this.otherPlain.close();
		this.secure.close();
	}

	private static ReactorFetchClient.Builder clientBuilder() {
		return ReactorFetchClient.builder()
			.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
			.sslContext(clientTrust);
	}

	private FetchOutcome fetch(String url, FetchPolicy policy) {
		FetchRequest request = new FetchRequest(FetchRequest.parseUrl(url), "GET", HEADERS, null, Map.of());
		FetchOutcome outcome = this.client.fetch(request, policy).block(Duration.ofSeconds(20));
		assertThat(outcome).isNotNull();
		return outcome;
	}

	private static String redirect(Upstream from, String to) {
		return from.url("/redirect?to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
	}

	@Test
	void anHttpsUpstreamWithACertificateTheClientTrustsIsFetchedWithEveryHeader() {
		FetchOutcome outcome = fetch(this.secure.url("/headers"), FOLLOWING);

		assertThat(outcome.kind()).as(String.valueOf(outcome.error())).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(this.secure.received("/headers")).containsAllEntriesOf(lowerCase(HEADERS));
	}

	@Test
	void aRedirectFromHttpsToHttpIsRefusedAndSaysWhy() {
		FetchOutcome outcome = fetch(redirect(this.secure, this.plain.url("/headers")), FOLLOWING);

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.BLOCKED);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.ADDRESS_BLOCKED);
		assertThat(outcome.error().message()).contains("https to http refused").contains("allowRedirectToHttp");
		assertThat(outcome.attempts()).isEqualTo(1);
		assertThat(this.secure.requests()).isEqualTo(1);
		assertThat(this.plain.requests()).isZero();
	}

	@Test
	void aRedirectFromHttpsToHttpIsFollowedWhenThePolicyAllowsItWithoutTheCredentials() {
		FetchOutcome outcome = fetch(redirect(this.secure, this.plain.url("/headers")),
				FOLLOWING.withRedirectToHttp(true));

		assertThat(outcome.kind()).as(String.valueOf(outcome.error())).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(outcome.body()).isEqualTo("headers seen");
		// Another scheme is another origin: only the allow-listed headers went on, in clear text.
		assertThat(this.plain.received("/headers")).containsEntry("accept", "application/json")
			.containsEntry("accept-language", "fr")
			.doesNotContainKeys("authorization", "x-api-key", "x-auth-token", "cookie");
	}

	@Test
	void aRedirectToAnotherPortForwardsOnlyAllowListedHeaders() {
		FetchOutcome outcome = fetch(redirect(this.plain, this.otherPlain.url("/headers")), FOLLOWING);

		assertThat(outcome.kind()).as(String.valueOf(outcome.error())).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(this.plain.received("/redirect")).containsAllEntriesOf(lowerCase(HEADERS));
		assertThat(this.otherPlain.received("/headers")).containsEntry("accept", "application/json")
			.containsEntry("accept-language", "fr")
			.containsEntry("user-agent", "Fanout")
			.doesNotContainKeys("authorization", "x-api-key", "x-auth-token", "cookie");
	}

	@Test
	void aRedirectWithinTheOriginKeepsEveryHeader() {
		FetchOutcome plainHop = fetch(redirect(this.plain, "/headers"), FOLLOWING);
		FetchOutcome secureHop = fetch(redirect(this.secure, this.secure.url("/headers")), FOLLOWING);

		assertThat(plainHop.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(secureHop.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(this.plain.received("/headers")).containsAllEntriesOf(lowerCase(HEADERS));
		assertThat(this.secure.received("/headers")).containsAllEntriesOf(lowerCase(HEADERS));
	}

	@Test
	void theAllowListIsConfigurable() {
		this.client.close();
		this.client = clientBuilder().crossOriginHeaders(Set.of("x-api-key")).build();

		FetchOutcome outcome = fetch(redirect(this.plain, this.otherPlain.url("/headers")), FOLLOWING);

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		// Accept is then the client's own default, not the job's.
		assertThat(this.otherPlain.received("/headers")).containsEntry("x-api-key", "key-1")
			.containsEntry("accept", "*/*")
			.doesNotContainKeys("authorization", "x-auth-token", "cookie", "accept-language");
	}

	private static Map<String, String> lowerCase(Map<String, String> headers) {
		Map<String, String> lower = new LinkedHashMap<>();
		headers.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
		return lower;
	}

	private static Map<String, String> orderedMap(String... namesAndValues) {
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			map.put(namesAndValues[i], namesAndValues[i + 1]);
		}
		return map;
	}

	/**
	 * A loopback server, over TLS when given keys, that records the headers of each request by path:
	 * {@code /redirect?to={url}} answers 302 to the URL, {@code /headers} answers 200.
	 */
	private static final class Upstream implements AutoCloseable {

		private final List<Map.Entry<String, Map<String, String>>> received = new CopyOnWriteArrayList<>();

		private final DisposableServer server;

		private final boolean tls;

		Upstream(@Nullable KeyManagerFactory keys) {
			HttpServer server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle);
			if (keys != null) {
				server = server.secure((spec) -> spec.sslContext(Http11SslContextSpec.forServer(keys)));
			}
			this.tls = keys != null;
			this.server = server.bindNow(Duration.ofSeconds(10));
		}

		String url(String path) {
			return (this.tls ? "https" : "http") + "://127.0.0.1:" + this.server.port() + path;
		}

		int requests() {
			return this.received.size();
		}

		/** The headers, by lower-case name, of the last request to this path. */
		Map<String, String> received(String path) {
			return this.received.stream()
				.filter((request) -> request.getKey().equals(path))
				.reduce((first, second) -> second)
				.map(Map.Entry::getValue)
				.orElseThrow(() -> new AssertionError("no request to " + path + " in " + this.received));
		}

		private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
			String uri = request.uri();
			int query = uri.indexOf('?');
			String path = (query < 0) ? uri : uri.substring(0, query);
			Map<String, String> headers = new LinkedHashMap<>();
			request.requestHeaders().forEach((header) -> headers.put(header.getKey().toLowerCase(Locale.ROOT),
					header.getValue()));
			this.received.add(Map.entry(path, headers));
			if (path.equals("/redirect")) {
				String to = URLDecoder.decode(uri.substring(uri.indexOf("to=") + 3), StandardCharsets.UTF_8);
				return response.status(302).header("Location", to).send();
			}
			if (path.equals("/headers")) {
				return response.header("Content-Type", "text/plain").sendString(Mono.just("headers seen")).then();
			}
			return response.status(404).send();
		}

		@Override
		public void close() {
			this.server.disposeNow(Duration.ofSeconds(10));
		}

	}

}
