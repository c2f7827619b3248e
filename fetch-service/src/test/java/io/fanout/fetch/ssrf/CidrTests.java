package io.fanout.fetch.ssrf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Allowed networks come from configuration and must mean exactly what they say: only full IP
 * literals parse, never a host name (which would be looked up at startup) and never a short or
 * numeric form that some resolvers read as another address.
 */
class CidrTests {

	@ParameterizedTest
	@ValueSource(strings = { "10.1", "127.1", "10.1.2", "127.1/8", "0x7f.0.0.1", "0x7f000001", "2130706433",
			"017700000001", "10.0.0.256", "1.2.3.4.5", "-1.2.3.4" })
	void refusesShortAndNumericFormsOfIpv4(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(text))
			.withMessageContaining("'" + text + "' is not an IP address or CIDR network")
			.withMessageContaining("such as 10.0.0.0/8");
	}

	@ParameterizedTest
	@ValueSource(strings = { "cafe.be", "beef", "dead.beef", "face.b00c/24", "localhost", "example.com/24",
			"internal.svc.cluster.local", "[cafe.be]", "", "/8", "::g", "1:2:3:4:5:6:7:8:9", "fe80:::1" })
	void refusesNamesAndMalformedLiterals(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(text))
			.withMessageContaining("is not an IP address or CIDR network");
	}

	@ParameterizedTest
	@ValueSource(strings = { "10.0.0.0/33", "10.0.0.0/-1", "::/129", "10.0.0.0/x", "10.0.0.0/", "10.0.0.0/8/8",
			"10.0.0.0/ 8", "::1/1e2" })
	void refusesBadPrefixes(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(text))
			.withMessageStartingWith("'" + text + "' has")
			.withMessageContaining("prefix length");
	}

	@ParameterizedTest
	@CsvSource({ "10.0.0.0/8, 10.0.0.0/8", "192.168.1.7, 192.168.1.7/32", "0.0.0.0/0, 0.0.0.0/0",
			"' 172.16.0.0/12 ', 172.16.0.0/12", "127.0.0.1/32, 127.0.0.1/32" })
	void acceptsIpv4LiteralsAndNetworks(String text, String expected) {
		Cidr cidr = Cidr.parse(text);

		assertThat(cidr.network()).hasSize(4);
		assertThat(cidr).hasToString(expected);
	}

	@ParameterizedTest
	@CsvSource({ "::1, 128", "[::1], 128", "fc00::/7, 7", "2001:db8::/32, 32", "::/0, 0",
			"'2001:0db8:0000:0000:0000:0000:0000:0001', 128", "[2001:db8::]/48, 48", "::ffff:10.0.0.0/104, 104" })
	void acceptsIpv6LiteralsAndNetworks(String text, int prefix) {
		Cidr cidr = Cidr.parse(text);

		assertThat(cidr.network()).hasSize(16);
		assertThat(cidr.prefix()).isEqualTo(prefix);
	}

	@Test
	void anIpv4MappedLiteralStaysIpv6() {
		Cidr mapped = Cidr.parse("::ffff:10.0.0.0/104");

		assertThat(mapped.contains(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 9, 8, 7 }))
			.isTrue();
		assertThat(mapped.contains(new byte[] { 10, 9, 8, 7 })).isFalse();
	}

	@Test
	void networksContainExactlyTheirAddresses() {
		Cidr v4 = Cidr.parse("192.168.4.0/22");
		Cidr v6 = Cidr.parse("fc00::/7");

		assertThat(v4.contains(new byte[] { (byte) 192, (byte) 168, 7, (byte) 255 })).isTrue();
		assertThat(v4.contains(new byte[] { (byte) 192, (byte) 168, 8, 0 })).isFalse();
		assertThat(v4.contains(new byte[] { (byte) 192, (byte) 168, 3, (byte) 255 })).isFalse();
		assertThat(v6.contains(ipv6((byte) 0xFD))).isTrue();
		assertThat(v6.contains(ipv6((byte) 0xFE))).isFalse();
		// Another family is never contained.
		assertThat(v6.contains(new byte[] { (byte) 0xFD, 0, 0, 1 })).isFalse();
		assertThat(Cidr.parse("0.0.0.0/0").contains(new byte[] { 8, 8, 8, 8 })).isTrue();
	}

	@Test
	void equalNetworksAreEqual() {
		assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse(" 10.0.0.0/8"))
			.hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"))
			.isNotEqualTo(Cidr.parse("10.0.0.0/9"));
		assertThat(Cidr.parse("[::1]")).isEqualTo(Cidr.parse("0:0:0:0:0:0:0:1/128"));
	}

	private static byte[] ipv6(byte first) {
		byte[] address = new byte[16];
		address[0] = first;
		address[15] = 1;
		return address;
	}

}
