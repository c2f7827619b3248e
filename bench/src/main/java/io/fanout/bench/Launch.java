package io.fanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How Fanout is started: the command before Fanout's own arguments, and the JVM options, which
 * {@link FanoutProcess} passes in {@code JDK_JAVA_OPTIONS}. {@link #deployed} is the deployment form
 * of docs/deployment.md, prepared and started by the image's own script {@code deploy/image/fanout.sh}:
 * the jar extracted, an AOT cache (JDK 25 and later) or class data sharing archive recorded by its
 * training run, and its start command.
 */
record Launch(List<String> command, List<String> jvmOptions) {

	/** Use the AOT cache or fail (JDK 25 and later). */
	static final String STRICT_AOT_CACHE = "-XX:AOTMode=on";

	/** Use the CDS archive or fail. */
	static final String STRICT_CDS = "-Xshare:on";

	static Launch plain(Path jar, List<String> jvmOptions) {
		return new Launch(List.of(java(), "-jar", jar.toString()), jvmOptions);
	}

	/**
	 * {@code fanout.sh extract} and {@code fanout.sh train} into {@code workDir/fanout-app}, both
	 * with {@code jvmOptions} in {@code JDK_JAVA_OPTIONS} as every later start gets them (the archive
	 * fits the options it was trained with); the training ports are free ones, not the script's defaults.
	 */
	static Launch deployed(Path script, Path jar, List<String> jvmOptions, Path workDir)
			throws IOException, InterruptedException {
		Path app = workDir.resolve("fanout-app").toAbsolutePath();
		Path log = workDir.resolve("fanout-cds-training.log");
		Files.deleteIfExists(log);
		Map<String, String> environment = Map.of("JDK_JAVA_OPTIONS", String.join(" ", jvmOptions), "JAVA_HOME",
				System.getProperty("java.home"), "FANOUT_TRAINING_PORT", Integer.toString(FanoutProcess.freePort()),
				"FANOUT_TRAINING_MANAGEMENT_PORT", Integer.toString(FanoutProcess.freePort()));
		run(List.of("bash", script.toString(), "extract", jar.toAbsolutePath().toString(), app.toString()),
				environment, log);
		run(List.of("bash", script.toString(), "train", app.toString()), environment, log);
		List<String> options = new ArrayList<>(jvmOptions);
		// A stale or unusable archive (or AOT cache, which train records on JDK 25 and later) would be
		// ignored with a warning, silently slowing every start: here it is an error instead.
		options.add(Files.exists(app.resolve("fanout.aot")) ? STRICT_AOT_CACHE : STRICT_CDS);
		return new Launch(List.of("bash", script.toString(), "start", app.toString()), options);
	}

	/** What starts: the extracted jar with the AOT cache or CDS archive train recorded, or the jar. */
	String form() {
		if (this.jvmOptions.contains(STRICT_AOT_CACHE)) {
			return "extracted jar + AOT cache";
		}
		return this.jvmOptions.contains(STRICT_CDS) ? "extracted jar + CDS" : "java -jar";
	}

	private static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static void run(List<String> command, Map<String, String> environment, Path log)
			throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		builder.environment().putAll(environment);
		Process process = builder.start();
		if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException("failed: " + String.join(" ", command) + "; see " + log);
		}
	}

}
