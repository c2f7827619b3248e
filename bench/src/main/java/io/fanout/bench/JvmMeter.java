package io.fanout.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The Fanout process's garbage collection and allocation, read through a JMX port on 127.0.0.1
 * that the harness opens when it starts the process ({@link #jvmOptions}): collection time summed
 * over the collectors, and bytes allocated summed over the live threads
 * ({@code com.sun.management.ThreadMXBean}; JDK 17 has no process-wide total, and a thread that
 * ended between two samples takes its count with it, so the figure is a lower bound; Fanout's work
 * runs on long-lived event-loop and scheduler threads).
 */
final class JvmMeter implements AutoCloseable {

	private final JMXConnector connector;

	private final List<GarbageCollectorMXBean> collectors;

	private final com.sun.management.ThreadMXBean threads;

	private JvmMeter(JMXConnector connector, List<GarbageCollectorMXBean> collectors,
			com.sun.management.ThreadMXBean threads) {
		this.connector = connector;
		this.collectors = collectors;
		this.threads = threads;
	}

	/** System properties that open an unauthenticated JMX port on loopback only. */
	static List<String> jvmOptions(int port) {
		return List.of("-Dcom.sun.management.jmxremote.port=" + port,
				"-Dcom.sun.management.jmxremote.rmi.port=" + port, "-Dcom.sun.management.jmxremote.host=127.0.0.1",
				"-Djava.rmi.server.hostname=127.0.0.1", "-Dcom.sun.management.jmxremote.authenticate=false",
				"-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.local.only=true");
	}

	static JvmMeter connect(int port) throws IOException {
		JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
		JMXConnector connector = JMXConnectorFactory.connect(url);
		MBeanServerConnection server = connector.getMBeanServerConnection();
		List<GarbageCollectorMXBean> collectors = ManagementFactory.getPlatformMXBeans(server,
				GarbageCollectorMXBean.class);
		com.sun.management.ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(server,
				ManagementFactory.THREAD_MXBEAN_NAME, com.sun.management.ThreadMXBean.class);
		return new JvmMeter(connector, collectors, threads);
	}

	Sample sample() {
		long gcMillis = 0;
		long collections = 0;
		for (GarbageCollectorMXBean collector : this.collectors) {
			gcMillis += Math.max(0, collector.getCollectionTime());
			collections += Math.max(0, collector.getCollectionCount());
		}
		long allocated = Arrays.stream(this.threads.getThreadAllocatedBytes(this.threads.getAllThreadIds()))
			.filter(bytes -> bytes > 0)
			.sum();
		return new Sample(System.nanoTime(), gcMillis, collections, allocated);
	}

	@Override
	public void close() throws IOException {
		this.connector.close();
	}

	/** One reading of the counters. */
	record Sample(long nanos, long gcMillis, long collections, long allocatedBytes) {

		/** What happened between {@code earlier} and this sample, over {@code runs} runs. */
		Usage since(Sample earlier, int runs) {
			double seconds = (this.nanos - earlier.nanos) / 1e9;
			double mib = Math.max(0, this.allocatedBytes - earlier.allocatedBytes) / (1024.0 * 1024.0);
			return new Usage((this.gcMillis - earlier.gcMillis) / (double) runs,
					(this.collections - earlier.collections) / (double) runs, mib / runs, mib / seconds);
		}

	}

	/** Per measured run: GC time and collections, MiB allocated; and the allocation rate over the runs. */
	record Usage(double gcMillisPerRun, double collectionsPerRun, double allocatedMibPerRun, double mibPerSecond) {

		String format() {
			return String.format("GC %.0f ms/run (%.1f collections) | alloc %.0f MiB/run, %.0f MiB/s", this.gcMillisPerRun,
					this.collectionsPerRun, this.allocatedMibPerRun, this.mibPerSecond);
		}

	}

}
