package io.fanout.fetch.ssrf;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into addresses. May block: it is always called off the event loops.
 */
@FunctionalInterface
public interface HostLookup {

	/** The JDK's resolver: the hosts file, then DNS, with the JDK's cache. */
	HostLookup SYSTEM = InetAddress::getAllByName;

	InetAddress[] lookup(String host) throws UnknownHostException;

}
