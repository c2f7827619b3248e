package io.fanout.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's {@code Dockerfile} as far as the checks need it: the instructions of its last
 * stage (the image that runs), continuation lines joined.
 */
record Dockerfile(List<String> runs, Map<String, String> env, List<String> volumes, String user, String entrypoint) {

	private static final Pattern JSON_STRING = Pattern.compile("\"([^\"]*)\"");

	/** The repository's root: the parent of this module's directory, where Maven runs its tests. */
	static Path repository() {
		return Path.of("").toAbsolutePath().getParent();
	}

	static Dockerfile read() {
		List<String> instructions = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		try {
			for (String line : Files.readAllLines(repository().resolve("Dockerfile"))) {
				String trimmed = line.strip();
				if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
					continue;
				}
				if (trimmed.endsWith("\\")) {
					current.append(trimmed, 0, trimmed.length() - 1).append(' ');
					continue;
				}
				instructions.add(current.append(trimmed).toString());
				current.setLength(0);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int lastFrom = 0;
		for (int i = 0; i < instructions.size(); i++) {
			if (keyword(instructions.get(i)).equals("FROM")) {
				lastFrom = i;
			}
		}
		List<String> runs = new ArrayList<>();
		Map<String, String> env = new LinkedHashMap<>();
		List<String> volumes = new ArrayList<>();
		String user = null;
		String entrypoint = null;
		for (String instruction : instructions.subList(lastFrom, instructions.size())) {
			String argument = instruction.substring(keyword(instruction).length()).strip();
			switch (keyword(instruction)) {
				case "RUN" -> runs.add(argument);
				case "ENV" -> {
					String[] pair = argument.split("=", 2);
					env.put(pair[0].strip(), pair[1].strip());
				}
				case "VOLUME" -> volumes.addAll(strings(argument));
				case "USER" -> user = argument;
				case "ENTRYPOINT" -> entrypoint = String.join(" ", strings(argument));
				default -> {
				}
			}
		}
		return new Dockerfile(runs, env, volumes, user, entrypoint);
	}

	/** The numeric user id of {@code USER uid:gid}. */
	long uid() {
		return Long.parseLong(this.user.split(":")[0]);
	}

	/** The numeric group id of {@code USER uid:gid}. */
	long gid() {
		return Long.parseLong(this.user.split(":")[1]);
	}

	private static String keyword(String instruction) {
		int space = instruction.indexOf(' ');
		return ((space < 0) ? instruction : instruction.substring(0, space)).toUpperCase();
	}

	private static List<String> strings(String jsonArray) {
		List<String> values = new ArrayList<>();
		Matcher matcher = JSON_STRING.matcher(jsonArray);
		while (matcher.find()) {
			values.add(matcher.group(1));
		}
		return values;
	}

}
