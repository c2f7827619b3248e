package io.fanout.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Fanout instance started from the packaged jar in a process of its own, on free ports, with a
 * fresh data directory, so its start-up and memory are measured apart from the harness.
 */
final class FanoutProcess implements AutoCloseable {

	private final Process process;

	private final Path log;

	private final JvmMeter meter;

	final int port;

	final int managementPort;

	final Duration startup;

	private FanoutProcess(Process process, Path log, JvmMeter meter, int port, int managementPort, Duration startup) {
		this.process = process;
		this.log = log;
		this.meter = meter;
		this.port = port;
		this.managementPort = managementPort;
		this.startup = startup;
	}

	/**
	 * Starts {@code launch} with {@code arguments} and waits for readiness. The JVM options go in
	 * {@code JDK_JAVA_OPTIONS}, which the java launcher reads, so that they reach the JVM whether
	 * Fanout is started by {@code java -jar} or by the image's start script; with {@code metered}
	 * they include a JMX port on loopback, read by {@link #meter()}.
	 */
	static FanoutProcess start(Launch launch, List<String> arguments, Path log, boolean metered)
			throws IOException, InterruptedException {
		int port = freePort();
		int managementPort = freePort();
		int jmxPort = metered ? freePort() : 0;
		List<String> command = new ArrayList<>(launch.command());
		command.add("--server.port=" + port);
		command.add("--management.server.port=" + managementPort);
		command.addAll(arguments);
		List<String> jvmOptions = new ArrayList<>(launch.jvmOptions());
		if (metered) {
			// The JMX agent changes the module graph, so JDK 25's AOT cache cannot be used with it at all:
			// a metered Fanout starts without it (throughput scenarios do not measure start-up).
			jvmOptions.remove(Launch.STRICT_AOT_CACHE);
			jvmOptions.addAll(JvmMeter.jvmOptions(jmxPort));
		}
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		builder.environment().put("JDK_JAVA_OPTIONS", String.join(" ", jvmOptions));
		builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
		long start = System.nanoTime();
		Process process = builder.start();
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
		URI readiness = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("Fanout exited with " + process.exitValue() + "; see " + log);
			}
			try {
				HttpResponse<Void> response = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(1)).build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					Duration startup = Duration.ofNanos(System.nanoTime() - start);
					return new FanoutProcess(process, log, metered ? JvmMeter.connect(jmxPort) : null, port,
							managementPort, startup);
				}
			}
			catch (IOException ex) {
				// Not listening yet.
			}
			Thread.sleep(10);
		}
		process.destroyForcibly();
		throw new IllegalStateException("Fanout did not become ready within 120 s; see " + log);
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	/** The process's GC and allocation counters; only for a process started metered. */
	JvmMeter meter() {
		if (this.meter == null) {
			throw new IllegalStateException("started without a JMX port");
		}
		return this.meter;
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** Whether the process's output so far mentions an OutOfMemoryError. */
	boolean loggedOutOfMemory() throws IOException {
		try (java.util.stream.Stream<String> lines = Files.lines(this.log)) {
			return lines.anyMatch(line -> line.contains("OutOfMemoryError"));
		}
	}

	long pid() {
		return this.process.pid();
	}

	/** Resets the process's peak resident set size, so the next reading covers one scenario. */
	void resetPeakRss() {
		try {
			Files.writeString(Path.of("/proc", Long.toString(pid()), "clear_refs"), "5");
		}
		catch (IOException ex) {
			// Not Linux, or not allowed: the peak then covers the process's whole life.
		}
	}

	/** Peak resident set size in MiB since start or the last reset, or -1 where /proc is missing. */
	double peakRssMib() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
				}
			}
		}
		catch (IOException ex) {
			return -1;
		}
		return -1;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.meter != null) {
			try {
				this.meter.close();
			}
			catch (IOException ex) {
				// The process is going anyway.
			}
		}
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
