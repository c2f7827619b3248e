package io.fanout.fetch.ssrf;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.netty.util.NetUtil;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}). A bare
 * address is a network of one. Only full literals parse: never a host name, never a short form.
 *
 * @param network the network's address bytes (4 or 16)
 * @param prefix the number of leading bits that must match
 */
public record Cidr(byte[] network, int prefix) {

	/**
	 * Parses {@code address[/prefix]}.
	 * @throws IllegalArgumentException if it is not an IP literal with a valid prefix
	 */
	public static Cidr parse(String text) {
		String value = text.strip();
		int slash = value.indexOf('/');
		String address = (slash < 0) ? value : value.substring(0, slash);
		if (address.startsWith("[") && address.endsWith("]")) {
			address = address.substring(1, address.length() - 1);
		}
		// A strict literal parser: no DNS lookup, and no BSD short forms ("10.1" for 10.0.0.1).
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
		if (bytes == null) {
			throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR network: write a literal "
					+ "address with an optional prefix length, such as 10.0.0.0/8, 127.0.0.1 or fc00::/7");
		}
		if (address.contains(":") && bytes.length == 4) {
			// The JDK turns IPv4-mapped IPv6 literals into IPv4; keep the IPv6 form asked for.
			byte[] mapped = new byte[16];
			mapped[10] = (byte) 0xFF;
			mapped[11] = (byte) 0xFF;
			System.arraycopy(bytes, 0, mapped, 12, 4);
			bytes = mapped;
		}
		int max = bytes.length * 8;
		int prefix;
		try {
			prefix = (slash < 0) ? max : Integer.parseInt(value.substring(slash + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("'" + text + "' has an invalid prefix length");
		}
		if (prefix < 0 || prefix > max) {
			throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + max);
		}
		return new Cidr(bytes, prefix);
	}

	/** Whether the address, of the same family, lies in this network. */
	public boolean contains(byte[] address) {
		if (address.length != this.network.length) {
			return false;
		}
		int full = this.prefix / 8;
		for (int i = 0; i < full; i++) {
			if (address[i] != this.network[i]) {
				return false;
			}
		}
		int rest = this.prefix % 8;
		if (rest == 0) {
			return true;
		}
		int mask = (0xFF << (8 - rest)) & 0xFF;
		return (address[full] & mask) == (this.network[full] & mask);
	}

	@Override
	public String toString() {
		try {
			return InetAddress.getByAddress(this.network).getHostAddress() + "/" + this.prefix;
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Cidr cidr && cidr.prefix == this.prefix
				&& java.util.Arrays.equals(cidr.network, this.network);
	}

	@Override
	public int hashCode() {
		return 31 * java.util.Arrays.hashCode(this.network) + this.prefix;
	}

}
