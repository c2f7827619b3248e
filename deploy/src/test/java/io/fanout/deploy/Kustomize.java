package io.fanout.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * {@code kubectl kustomize} of deploy/kubernetes: an overlay as it is, or with components added (in a
 * kustomization written under target/, since kustomize takes only relative paths). Where kubectl is
 * missing the calling test is skipped with a message, unless {@code FANOUT_REQUIRE_KUBECTL=true}
 * (CI), where it fails.
 */
final class Kustomize {

	static final Path MANIFESTS = Dockerfile.repository().resolve("deploy/kubernetes");

	private Kustomize() {
	}

	/** The rendered objects of {@code overlays/<overlay>} with the given {@code components/<name>}. */
	static String render(String overlay, List<String> components) throws IOException, InterruptedException {
		Path root = MANIFESTS.resolve("overlays").resolve(overlay);
		if (!components.isEmpty()) {
			root = Path.of("target", "kustomize", overlay + "-" + String.join("-", components)).toAbsolutePath();
			Files.createDirectories(root);
			StringBuilder kustomization = new StringBuilder("""
					apiVersion: kustomize.config.k8s.io/v1beta1
					kind: Kustomization
					resources:
					""");
			kustomization.append("  - ").append(relative(root, MANIFESTS.resolve("overlays").resolve(overlay))).append('\n');
			kustomization.append("components:\n");
			for (String component : components) {
				kustomization.append("  - ").append(relative(root, MANIFESTS.resolve("components").resolve(component))).append('\n');
			}
			Files.writeString(root.resolve("kustomization.yaml"), kustomization);
		}
		return kubectl("kustomize", root.toString());
	}

	private static String relative(Path from, Path to) {
		return from.relativize(to.toAbsolutePath().normalize()).toString();
	}

	private static String kubectl(String... arguments) throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of("kubectl"));
		command.addAll(List.of(arguments));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
		}
		catch (IOException ex) {
			boolean required = "true".equals(System.getenv("FANOUT_REQUIRE_KUBECTL"));
			if (required) {
				throw new IllegalStateException("kubectl is required (FANOUT_REQUIRE_KUBECTL=true) but cannot be run", ex);
			}
			Assumptions.abort("kubectl is not installed: the Kubernetes manifests are not checked here "
					+ "(FANOUT_REQUIRE_KUBECTL=true makes this a failure)");
			throw ex;
		}
		byte[] out = process.getInputStream().readAllBytes();
		byte[] err = process.getErrorStream().readAllBytes();
		if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException(String.join(" ", command) + " failed:\n" + new String(err, StandardCharsets.UTF_8));
		}
		return new String(out, StandardCharsets.UTF_8);
	}

}
