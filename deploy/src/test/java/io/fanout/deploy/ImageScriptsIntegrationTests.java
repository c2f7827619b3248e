package io.fanout.deploy;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The image's steps, run as the Dockerfile runs them but outside a container, on the jar that this
 * build packaged: {@code fanout.sh extract}, {@code fanout.sh train}, then {@code fanout.sh start}
 * with {@code -Xshare:on} (with an AOT cache, {@code -XX:AOTMode=on}), so that a start that could not
 * use what was recorded fails instead of silently taking the long way. The started application must
 * become ready, serve the API, and stop on SIGTERM. Once with the JDK running the build (a class data
 * sharing archive on JDK 17), once with a JDK 25 where one is installed (its AOT cache):
 * {@code FANOUT_JDK25_HOME}, else {@code /usr/lib/jvm/*-25-*}.
 */
class ImageScriptsIntegrationTests {

	private static final Path SCRIPT = Dockerfile.repository().resolve("deploy/image/fanout.sh");

	private static final Path JAR = Dockerfile.repository().resolve("api/target/fanout.jar");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	/** The JDK that runs the scripts. */
	private String javaHome = System.getProperty("java.home");

	@TempDir
	Path work;

	@Test
	void dockerfileRunsTheScriptsThatAreTestedHere() {
		Dockerfile dockerfile = Dockerfile.read();
		assertThat(String.join(" && ", dockerfile.runs())).contains("fanout.sh extract /tmp/fanout.jar /app")
			.contains("fanout.sh train /app");
		assertThat(dockerfile.entrypoint()).isEqualTo("fanout.sh start /app");
	}

	static Stream<Arguments> jdks() {
		Path jdk25 = jdk25();
		return Stream.of(Arguments.of("the build's JDK " + Runtime.version().feature(), System.getProperty("java.home"),
				Runtime.version().feature()), Arguments.of("JDK 25", (jdk25 != null) ? jdk25.toString() : "", 25));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("jdks")
	void extractedApplicationWithItsArchiveStartsAndBecomesReady(String name, String javaHome, int feature)
			throws Exception {
		assumeTrue(!javaHome.isEmpty(), "no JDK 25 found (FANOUT_JDK25_HOME, /usr/lib/jvm/*-25-*): its AOT cache is "
				+ "not checked here");
		this.javaHome = javaHome;
		assertThat(JAR).as("the packaged application (mvn package in api)").isRegularFile();
		Path app = this.work.resolve("app");
		run(Map.of(), "extract", JAR.toString(), app.toString());
		assertThat(app.resolve("fanout.jar")).isRegularFile();
		assertThat(app.resolve("lib")).isDirectory();

		run(Map.of("FANOUT_TRAINING_PORT", Integer.toString(freePort()), "FANOUT_TRAINING_MANAGEMENT_PORT",
				Integer.toString(freePort())), "train", app.toString());
		// JDK 25 and later record an AOT cache, earlier ones a class data sharing archive.
		assertThat(app.resolve((feature >= 25) ? "fanout.aot" : "fanout.jsa")).isNotEmptyFile();
		assertThat(app.resolve((feature >= 25) ? "fanout.jsa" : "fanout.aot")).doesNotExist();

		int port = freePort();
		int managementPort = freePort();
		Path log = this.work.resolve("start.log");
		ProcessBuilder builder = command("start", app.toString(), "--server.address=127.0.0.1", "--server.port=" + port,
				"--management.server.address=127.0.0.1", "--management.server.port=" + managementPort,
				"--fanout.data-dir=" + this.work.resolve("data"), "--fanout.security.api-keys.check=check-key");
		// Use what was recorded or fail: -Xshare:on for the archive, AOTMode=on for the AOT cache.
		String strict = (feature >= 25) ? "-XX:AOTMode=on" : "-Xshare:on";
		builder.environment().put("JDK_JAVA_OPTIONS", strict);
		Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
		try {
			awaitReady(process, managementPort, log);
			assertThat(status(managementPort, "/actuator/health/liveness", null)).isEqualTo(200);
			assertThat(status(port, "/api/v1/jobs", "check-key")).isEqualTo(200);
			process.destroy();
			assertThat(process.waitFor(40, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
			assertThat(Files.readString(log)).contains("Picked up JDK_JAVA_OPTIONS: " + strict)
				.doesNotContainIgnoringCase("shared archive file")
				.doesNotContainIgnoringCase("AOT cache")
				.doesNotContain("sharing is not enabled");
		}
		finally {
			process.destroyForcibly();
		}
	}

	private void awaitReady(Process process, int managementPort, Path log) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
		while (Instant.now().isBefore(deadline)) {
			if (!process.isAlive()) {
				throw new AssertionError("exited with " + process.exitValue() + ":\n" + Files.readString(log));
			}
			if (status(managementPort, "/actuator/health/readiness", null) == 200) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("not ready within 90 s:\n" + Files.readString(log));
	}

	private int status(int port, String path, String apiKey) throws InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(5));
		if (apiKey != null) {
			request.header("X-API-Key", apiKey);
		}
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private void run(Map<String, String> environment, String... arguments) throws Exception {
		Path log = this.work.resolve(arguments[0] + ".log");
		ProcessBuilder builder = command(arguments);
		builder.environment().putAll(environment);
		Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!process.waitFor(3, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new AssertionError("fanout.sh " + arguments[0] + " did not end within 3 minutes:\n" + Files.readString(log));
		}
		assertThat(process.exitValue()).as("fanout.sh %s:%n%s", arguments[0], Files.readString(log)).isZero();
	}

	private ProcessBuilder command(String... arguments) {
		List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
		command.addAll(List.of(arguments));
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.work.toFile());
		builder.environment().put("JAVA_HOME", this.javaHome);
		builder.environment().remove("JDK_JAVA_OPTIONS");
		builder.environment().remove("JAVA_TOOL_OPTIONS");
		return builder;
	}

	private static Path jdk25() {
		String configured = System.getenv("FANOUT_JDK25_HOME");
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
			return jdks.filter((home) -> home.getFileName().toString().contains("-25-"))
				.filter((home) -> Files.isExecutable(home.resolve("bin/java")))
				.findFirst()
				.orElse(null);
		}
		catch (IOException ex) {
			return null;
		}
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
