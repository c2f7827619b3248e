package io.fanout.api.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.fanout.api.FanoutApplication;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Fanout in a child JVM, as an operator runs it: {@link FanoutApplication}'s main class on the test
 * class path (without test classes), with the {@code java} of this JVM, free loopback ports for the API and the management
 * server, the embedded database in a given data directory, the given heap and properties. It is
 * started and waited for (readiness on the actuator), killed as {@code kill -9} does
 * ({@link Process#destroyForcibly()}, no shutdown hooks), and can be started again on the same data
 * directory. Its output goes to a log file in the data directory's parent, shown when it fails to
 * start. Close it to kill whatever still runs.
 */
public final class FanoutProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private final Path dataDir;

	private final List<String> jvmOptions;

	private final Map<String, String> properties;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private Process process;

	private Path log;

	private int port;

	private int managementPort;

	private int starts;

	/**
	 * A process to be started on {@code dataDir}, with JVM options ({@code -Xmx256m}) and Spring
	 * properties ({@code fanout.scheduler.poll-interval=200ms}), passed as {@code --name=value}.
	 */
	public FanoutProcess(Path dataDir, List<String> jvmOptions, Map<String, String> properties) {
		this.dataDir = dataDir.toAbsolutePath();
		this.jvmOptions = List.copyOf(jvmOptions);
		this.properties = new LinkedHashMap<>(properties);
	}

	/** Starts the process and waits until it is ready; fails (with its log) if it is not in time. */
	public FanoutProcess start() {
		if (this.process != null && this.process.isAlive()) {
			throw new IllegalStateException("Fanout is already running");
		}
		this.port = freePort();
		this.managementPort = freePort();
		this.starts++;
		this.log = this.dataDir.resolveSibling(this.dataDir.getFileName() + "-run" + this.starts + ".log");
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(this.jvmOptions);
		if (Runtime.version().feature() >= 22) {
			// What fanout.jar's manifest says (Enable-Native-Access), which a class path start does not read.
			command.add("--enable-native-access=ALL-UNNAMED");
		}
		command.add("-cp");
		command.add(classPath());
		command.add(FanoutApplication.class.getName());
		Map<String, String> all = new LinkedHashMap<>();
		all.put("server.address", "127.0.0.1");
		all.put("server.port", Integer.toString(this.port));
		all.put("management.server.address", "127.0.0.1");
		all.put("management.server.port", Integer.toString(this.managementPort));
		all.put("fanout.data-dir", this.dataDir.toString());
		all.putAll(this.properties);
		all.forEach((name, value) -> command.add("--" + name + "=" + value));
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.log.toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		awaitReady();
		return this;
	}

	/** Kills the process at once, as {@code kill -9} does, and waits until it is gone. */
	public void kill() {
		if (this.process == null) {
			return;
		}
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Fanout did not die within 30 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sends SIGTERM, as Kubernetes does to stop a pod, without waiting; {@link #awaitExit} waits.
	 */
	public void terminate() {
		this.process.destroy();
	}

	/** Waits for the process to exit, at most {@code timeout}; answers its exit code. */
	public int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("Fanout did not exit within " + timeout + "; its log:\n" + tail(log()));
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Whether the process is running. */
	public boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	/** The API's base URL, {@code http://127.0.0.1:<port>}. */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

	/** The management server's base URL. */
	public String managementUrl() {
		return "http://127.0.0.1:" + this.managementPort;
	}

	/** A client of the API, with a generous response timeout. */
	public WebTestClient client() {
		return WebTestClient.bindToServer().baseUrl(baseUrl()).responseTimeout(Duration.ofSeconds(30)).build();
	}

	/** The HTTP status of a GET on the management server, or -1 when it does not answer. */
	public int managementStatus(String path) {
		try {
			HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + path))
				.timeout(Duration.ofSeconds(5))
				.build();
			return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	/** What the process printed in its latest run. */
	public String log() {
		try {
			return (this.log != null && Files.exists(this.log)) ? Files.readString(this.log) : "";
		}
		catch (IOException ex) {
			return "(log not readable: " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() {
		kill();
	}

	private void awaitReady() {
		Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
		while (Instant.now().isBefore(deadline)) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Fanout exited with " + this.process.exitValue() + " while starting:\n"
						+ tail(log()));
			}
			if (managementStatus("/actuator/health/readiness") == 200) {
				return;
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		kill();
		throw new IllegalStateException("Fanout was not ready within " + STARTUP_TIMEOUT + ":\n" + tail(log()));
	}

	private static String tail(String text) {
		return (text.length() > 8000) ? "…" + text.substring(text.length() - 8000) : text;
	}

	/**
	 * The test class path (Surefire's own record of it, else this JVM's) without test classes: the
	 * application scans its packages, and must not find the tests' configurations there.
	 */
	private static String classPath() {
		String surefire = System.getProperty("surefire.test.class.path");
		String all = (surefire != null && !surefire.isBlank()) ? surefire : System.getProperty("java.class.path");
		return Arrays.stream(all.split(File.pathSeparator))
			.filter((entry) -> !Path.of(entry).getFileName().toString().equals("test-classes"))
			.collect(Collectors.joining(File.pathSeparator));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
