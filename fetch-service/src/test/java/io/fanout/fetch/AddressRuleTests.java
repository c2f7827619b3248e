package io.fanout.fetch;

import java.net.InetAddress;
import java.util.List;

import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.fetch.ssrf.Cidr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The SSRF address rule, over address literals only: nothing here opens a connection.
 */
class AddressRuleTests {

	private final AddressRule strict = AddressRule.strict();

	@ParameterizedTest
	@ValueSource(strings = { "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254",
			"100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.7", "224.0.0.1",
			"239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1", "::", "::1", "fc00::1", "fd12:3456::1",
			"fe80::1", "fec0::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
			"64:ff9b::a00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::1", "2002:a00:1::1",
			"2002:7f00:1::", "::10.0.0.1", "2001:db8::1" })
	void refusesSpecialPurposeAddresses(String address) throws Exception {
		InetAddress inet = InetAddress.getByName(address);

		assertThat(this.strict.permits(inet)).as(address).isFalse();
		assertThat(this.strict.blockReason(inet)).isPresent();
	}

	@ParameterizedTest
	@ValueSource(strings = { "8.8.8.8", "1.1.1.1", "93.184.215.14", "172.32.0.1", "100.128.0.1", "192.169.0.1",
			"2606:4700:4700::1111", "2a00:1450:4007:80e::200e", "64:ff9b::808:808", "::ffff:8.8.8.8" })
	void allowsPublicAddresses(String address) throws Exception {
		assertThat(this.strict.permits(InetAddress.getByName(address))).as(address).isTrue();
	}

	@Test
	void allowedNetworksExemptExactlyTheirRanges() throws Exception {
		AddressRule rule = AddressRule.allowing(List.of("127.0.0.1/32", "10.20.0.0/16", "fd00::/8"));

		assertThat(rule.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
		assertThat(rule.permits(InetAddress.getByName("::ffff:127.0.0.1"))).isTrue();
		assertThat(rule.permits(InetAddress.getByName("127.0.0.2"))).isFalse();
		assertThat(rule.permits(InetAddress.getByName("::1"))).isFalse();
		assertThat(rule.permits(InetAddress.getByName("10.20.3.4"))).isTrue();
		assertThat(rule.permits(InetAddress.getByName("10.21.0.1"))).isFalse();
		assertThat(rule.permits(InetAddress.getByName("fd00::5"))).isTrue();
		assertThat(rule.permits(InetAddress.getByName("fc00::5"))).isFalse();
		assertThat(rule.permits(InetAddress.getByName("169.254.169.254"))).isFalse();
	}

	@Test
	void teredoAddressesAreCheckedByTheirClientAddress() throws Exception {
		// Client 10.0.0.1 is stored inverted: f5ff:fffe.
		assertThat(this.strict.permits(InetAddress.getByName("2001:0:4136:e378:8000:63bf:f5ff:fffe"))).isFalse();
		// Client 8.8.8.8 inverted: f7f7:f7f7.
		assertThat(this.strict.permits(InetAddress.getByName("2001:0:4136:e378:8000:63bf:f7f7:f7f7"))).isTrue();
	}

	@Test
	void cidrParsingAcceptsOnlyIpLiterals() {
		assertThat(Cidr.parse("10.0.0.0/8").contains(new byte[] { 10, 1, 2, 3 })).isTrue();
		assertThat(Cidr.parse("10.0.0.0/8").contains(new byte[] { 11, 1, 2, 3 })).isFalse();
		assertThat(Cidr.parse("192.168.1.7").prefix()).isEqualTo(32);
		assertThat(Cidr.parse("[::1]").prefix()).isEqualTo(128);
		assertThat(Cidr.parse("100.64.0.0/10").contains(new byte[] { 100, 127, (byte) 255, 1 })).isTrue();
		assertThat(Cidr.parse("100.64.0.0/10").contains(new byte[] { 100, (byte) 128, 0, 1 })).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("example.com/24"));
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("10.0.0.0/33"));
		assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("10.0.0.0/x"));
	}

}
