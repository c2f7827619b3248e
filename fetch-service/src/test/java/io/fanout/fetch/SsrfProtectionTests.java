package io.fanout.fetch;

import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.HostLookup;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSRF protection end to end. Only loopback addresses are ever used: 127.0.0.1 is allowed, and
 * the servers on 127.0.0.2 and ::1 stand in for every refused range. They must see no connection.
 */
@ExtendWith(OutputCaptureExtension.class)
class SsrfProtectionTests {

	private static final String BLOCKED_NAME = "blocked.fanout.test";

	private static final FetchPolicy POLICY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(5))
		.withRedirects(true, 5);

	private final TestUpstream allowed = new TestUpstream();

	private final TestUpstream refused = new TestUpstream("127.0.0.2");

	private final TestUpstream refusedV6 = new TestUpstream("::1");

	private final ReactorFetchClient client = ReactorFetchClient.builder()
		.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
		.hostLookup(testLookup())
		.build();

	@AfterEach
	void close() {
		this.client.close();
		this.allowed.close();
		this.refused.close();
		this.refusedV6.close();
	}

	/** Resolves one made-up name to 127.0.0.2; anything else goes to the system resolver. */
	private static HostLookup testLookup() {
		return host -> BLOCKED_NAME.equals(host)
				? new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 2 }) }
				: HostLookup.SYSTEM.lookup(host);
	}

	private FetchOutcome fetch(String url) {
		return this.client.fetch(FetchRequest.get(url), POLICY).block(Duration.ofSeconds(10));
	}

	@Test
	void allowedNetworkIsReached() {
		FetchOutcome outcome = fetch(this.allowed.url("/ok"));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.SUCCEEDED);
		assertThat(this.allowed.connectionsOpened()).isEqualTo(1);
	}

	@Test
	void loopbackOutsideTheAllowedNetworkIsBlocked() {
		FetchOutcome outcome = fetch("http://127.0.0.2:" + this.refused.port() + "/ok");

		assertBlocked(outcome);
		assertThat(outcome.attempts()).isZero();
	}

	@Test
	void tenantsSeeAGenericRefusalWhileTheLogNamesTheResolvedAddress(CapturedOutput log) {
		FetchOutcome outcome = fetch("http://" + BLOCKED_NAME + ":" + this.refused.port() + "/ok");

		assertBlocked(outcome);
		assertThat(outcome.error().message()).doesNotContain("127.0.0.2").doesNotContain(BLOCKED_NAME);
		assertThat(log.getOut()).contains("refused by the SSRF rules").contains("127.0.0.2");
	}

	@Test
	void ipv6LoopbackIsBlocked() {
		assertBlocked(fetch("http://[::1]:" + this.refusedV6.port() + "/ok"));
	}

	@Test
	void ipv4MappedIpv6LiteralIsBlocked() {
		assertBlocked(fetch("http://[::ffff:127.0.0.2]:" + this.refused.port() + "/ok"));
	}

	@Test
	void hostNameResolvingToARefusedAddressIsBlocked() {
		assertBlocked(fetch("http://" + BLOCKED_NAME + ":" + this.refused.port() + "/ok"));
	}

	@Test
	void redirectFromAnAllowedServerToARefusedAddressIsBlocked() {
		String target = "http://127.0.0.2:" + this.refused.port() + "/ok";
		FetchOutcome outcome = fetch(this.allowed.url("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8)));

		assertBlocked(outcome);
		assertThat(outcome.attempts()).isEqualTo(1);
		assertThat(this.allowed.hits("/redirect?to=" + URLEncoder.encode(target, StandardCharsets.UTF_8))).isEqualTo(1);
	}

	@Test
	void redirectToAnotherSchemeIsBlocked() {
		FetchOutcome outcome = fetch(this.allowed.url("/redirect?to=" + URLEncoder.encode("file:///etc/passwd",
				StandardCharsets.UTF_8)));

		assertThat(outcome.kind()).isEqualTo(OutcomeKind.BLOCKED);
	}

	@Test
	void otherSchemesAreRefusedWhenTheRequestIsMade() {
		for (String url : List.of("file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "jar:file:/x!/y")) {
			assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> FetchRequest.get(url)))
				.as(url)
				.isInstanceOf(InvalidFetchRequestException.class);
		}
	}

	private void assertBlocked(FetchOutcome outcome) {
		assertThat(outcome.kind()).isEqualTo(OutcomeKind.BLOCKED);
		assertThat(outcome.error().kind()).isEqualTo(ErrorKind.ADDRESS_BLOCKED);
		assertThat(outcome.attempts()).isLessThanOrEqualTo(1);
		// Tenants learn that the destination is refused, not what it resolved to.
		assertThat(outcome.error().message()).endsWith("destination not allowed").doesNotContain("127.0.0.2");
		assertThat(this.refused.connectionsOpened()).isEqualTo(0);
		assertThat(this.refusedV6.connectionsOpened()).isEqualTo(0);
	}

}
