package io.fanout.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How Fanout is started: a jar and the JVM options before {@code -jar}. {@link #cds} prepares the
 * deployment form of docs/deployment.md: the jar extracted, and a class data sharing archive
 * recorded by a training run that starts Fanout, serves one API call and stops.
 */
record Launch(Path jar, List<String> jvmOptions) {

	static Launch plain(Path jar, List<String> jvmOptions) {
		return new Launch(jar, jvmOptions);
	}

	static Launch cds(Path jar, List<String> jvmOptions, Path workDir, String apiKey, List<String> arguments)
			throws IOException, InterruptedException {
		Path app = workDir.resolve("fanout-app");
		deleteRecursively(app);
		run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", app.toString()));
		Path extracted = app.resolve(jar.getFileName());
		Path archive = app.resolve("fanout.jsa");
		List<String> training = new ArrayList<>(jvmOptions);
		training.add("-XX:ArchiveClassesAtExit=" + archive);
		try (FanoutProcess fanout = FanoutProcess.start(extracted, training, arguments,
				workDir.resolve("fanout-cds-training.log"))) {
			HttpRequest list = HttpRequest.newBuilder(URI.create(fanout.baseUrl() + "/api/v1/jobs"))
				.header("X-API-Key", apiKey)
				.build();
			HttpClient.newHttpClient().send(list, HttpResponse.BodyHandlers.discarding());
		}
		if (!Files.isRegularFile(archive)) {
			throw new IllegalStateException("the training run wrote no archive " + archive);
		}
		List<String> options = new ArrayList<>(jvmOptions);
		options.add("-XX:SharedArchiveFile=" + archive);
		// A stale or unusable archive would be ignored with a warning, silently slowing every start:
		// here it is an error instead.
		options.add("-Xshare:on");
		return new Launch(extracted, options);
	}

	private static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static void run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException("failed: " + String.join(" ", command));
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
