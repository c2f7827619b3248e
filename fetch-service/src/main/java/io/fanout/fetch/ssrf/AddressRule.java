package io.fanout.fetch.ssrf;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decides which addresses fetches may connect to. Loopback, private, link-local (cloud metadata
 * included), CGNAT, multicast, reserved and documentation ranges are refused, in IPv4 and IPv6,
 * and also when an IPv4 address hides inside an IPv6 one (mapped, compatible, NAT64, 6to4,
 * Teredo). Networks in the allow list are exempt.
 */
public final class AddressRule {

	private static final List<Range> BLOCKED = List.of(
			range("0.0.0.0/8", "\"this\" network"),
			range("10.0.0.0/8", "private network (RFC 1918)"),
			range("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
			range("127.0.0.0/8", "loopback"),
			range("169.254.0.0/16", "link-local (cloud metadata)"),
			range("172.16.0.0/12", "private network (RFC 1918)"),
			range("192.0.0.0/24", "IETF protocol assignments"),
			range("192.0.2.0/24", "documentation"),
			range("192.88.99.0/24", "6to4 relay anycast"),
			range("192.168.0.0/16", "private network (RFC 1918)"),
			range("198.18.0.0/15", "benchmarking"),
			range("198.51.100.0/24", "documentation"),
			range("203.0.113.0/24", "documentation"),
			range("224.0.0.0/4", "multicast"),
			range("240.0.0.0/4", "reserved"),
			range("::/128", "unspecified"),
			range("::1/128", "loopback"),
			range("64:ff9b:1::/48", "local-use NAT64"),
			range("100::/64", "discard-only"),
			range("2001:db8::/32", "documentation"),
			range("fc00::/7", "unique local"),
			range("fe80::/10", "link-local"),
			range("fec0::/10", "site-local"),
			range("ff00::/8", "multicast"));

	private static final Cidr IPV4_MAPPED = Cidr.parse("::ffff:0:0/96");

	private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");

	private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

	private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

	private static final Cidr TEREDO = Cidr.parse("2001::/32");

	private final List<Cidr> allowed;

	private AddressRule(List<Cidr> allowed) {
		this.allowed = List.copyOf(allowed);
	}

	/** The default rule: every special-purpose range refused, nothing exempt. */
	public static AddressRule strict() {
		return new AddressRule(List.of());
	}

	/** A rule that exempts the given networks ({@code 127.0.0.1/32}, {@code 10.1.0.0/16}). */
	public static AddressRule allowing(List<String> allowedNetworks) {
		return new AddressRule(allowedNetworks.stream().map(Cidr::parse).toList());
	}

	/** The exempt networks. */
	public List<Cidr> allowedNetworks() {
		return this.allowed;
	}

	/** Whether a connection to this address may be opened. */
	public boolean permits(InetAddress address) {
		return blockReason(address).isEmpty();
	}

	/** Why a connection to this address is refused, or empty if it is permitted. */
	public Optional<String> blockReason(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (isAllowed(bytes)) {
			return Optional.empty();
		}
		Optional<String> direct = blockedRange(bytes);
		if (direct.isPresent()) {
			return direct;
		}
		byte[] embedded = embeddedIpv4(bytes);
		if (embedded != null && !isAllowed(embedded)) {
			return blockedRange(embedded).map(reason -> reason + ", embedded in an IPv6 address");
		}
		return Optional.empty();
	}

	/** A loop, not a stream: it runs for every request to an IP literal, and a stream allocates each time. */
	private boolean isAllowed(byte[] bytes) {
		for (Cidr cidr : this.allowed) {
			if (cidr.contains(bytes)) {
				return true;
			}
		}
		return false;
	}

	private static Optional<String> blockedRange(byte[] bytes) {
		return BLOCKED.stream().filter(range -> range.cidr.contains(bytes)).findFirst().map(Range::reason);
	}

	/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
	private static byte[] embeddedIpv4(byte[] v6) {
		if (v6.length != 16) {
			return null;
		}
		if (IPV4_MAPPED.contains(v6) || IPV4_COMPATIBLE.contains(v6) || NAT64.contains(v6)) {
			return Arrays.copyOfRange(v6, 12, 16);
		}
		if (SIX_TO_FOUR.contains(v6)) {
			return Arrays.copyOfRange(v6, 2, 6);
		}
		if (TEREDO.contains(v6)) {
			// The Teredo client address is stored inverted in the last 32 bits.
			byte[] client = Arrays.copyOfRange(v6, 12, 16);
			for (int i = 0; i < client.length; i++) {
				client[i] = (byte) ~client[i];
			}
			return client;
		}
		return null;
	}

	private static Range range(String cidr, String reason) {
		return new Range(Cidr.parse(cidr), reason);
	}

	private record Range(Cidr cidr, String reason) {
	}

}
