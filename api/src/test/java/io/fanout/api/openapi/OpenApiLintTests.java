package io.fanout.api.openapi;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code docs/openapi.json} passes Spectral's OpenAPI ruleset ({@code .spectral.yaml}, extending
 * {@code spectral:oas}) without an error: examples valid against their schemas, operations and
 * references well formed. Spectral comes from npm through {@code npx}, at a pinned version; where
 * {@code npx} is missing the test is skipped, unless {@code FANOUT_REQUIRE_NPX=true} (as in CI),
 * where it fails.
 */
class OpenApiLintTests {

	/** Pinned, so that a new Spectral release cannot fail the build by itself. */
	static final String SPECTRAL = "@stoplight/spectral-cli@6.16.3";

	/** Bounds the first run, which downloads Spectral into npm's cache; later runs take a few seconds. */
	private static final long TIMEOUT_SECONDS = 240;

	private static final Path ROOT = Path.of("..");

	@Test
	void theContractHasNoSpectralError() throws IOException, InterruptedException {
		String npx = npx();
		List<String> command = List.of(npx, "--yes", SPECTRAL, "lint", "docs/openapi.json", "--ruleset",
				".spectral.yaml", "--fail-severity", "error");
		Path output = Files.createTempFile("spectral", ".txt");
		try {
			Process process = new ProcessBuilder(command).directory(ROOT.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
				fail("Spectral did not finish within %d s: %s%n%s", TIMEOUT_SECONDS, String.join(" ", command),
						read(output));
			}
			String report = read(output);
			System.out.println(report);
			assertThat(process.exitValue()).as("Spectral found errors in docs/openapi.json (%s):%n%s",
					String.join(" ", command), report)
				.isZero();
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	private static String npx() {
		String name = System.getProperty("os.name").startsWith("Windows") ? "npx.cmd" : "npx";
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				Path candidate = Path.of(directory, name);
				if (Files.isExecutable(candidate)) {
					return candidate.toString();
				}
			}
		}
		String message = "npx (Node.js) is not on the PATH: cannot run Spectral over docs/openapi.json";
		if ("true".equalsIgnoreCase(System.getenv("FANOUT_REQUIRE_NPX"))) {
			fail(message + ", and FANOUT_REQUIRE_NPX=true requires this test to run");
		}
		Assumptions.abort(message + ": skipping the lint (install Node.js, or set FANOUT_REQUIRE_NPX=true to make "
				+ "its absence fail)");
		throw new AssertionError("unreachable");
	}

	private static String read(Path output) throws IOException {
		return Files.readString(output, StandardCharsets.UTF_8);
	}

}
