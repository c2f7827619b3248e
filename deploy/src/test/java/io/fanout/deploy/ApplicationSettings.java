package io.fanout.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * What the packaged application reads: every property that its modules and Spring Boot declare (the
 * configuration metadata on its run-time class path, and api's own), the defaults of
 * api/src/main/resources/application.yml, and environment variables matched to properties by Spring
 * Boot's own relaxed binding, as a container's environment is.
 */
final class ApplicationSettings {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	private static final Path API_METADATA = Dockerfile.repository().resolve("api/target/classes/" + METADATA);

	private static final Path APPLICATION_YML = Dockerfile.repository().resolve("api/src/main/resources/application.yml");

	/** Read by the JVM, not by Spring. */
	private static final List<String> JVM_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

	private final Map<String, JsonNode> properties = new LinkedHashMap<>();

	private final List<ConfigurationPropertySource> defaults;

	ApplicationSettings() {
		ObjectMapper json = new ObjectMapper();
		try {
			List<URL> files = new ArrayList<>(Collections.list(getClass().getClassLoader().getResources(METADATA)));
			if (!Files.isRegularFile(API_METADATA)) {
				throw new IllegalStateException("api's configuration metadata is missing: " + API_METADATA);
			}
			files.add(API_METADATA.toUri().toURL());
			for (URL file : files) {
				try (InputStream in = file.openStream()) {
					for (JsonNode property : json.readTree(in).path("properties")) {
						this.properties.putIfAbsent(property.path("name").asText(), property);
					}
				}
			}
			List<PropertySource<?>> yaml = new YamlPropertySourceLoader().load("application.yml",
					new FileSystemResource(APPLICATION_YML));
			this.defaults = yaml.stream().map(ConfigurationPropertySource::from).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Whether a property of that name is declared (Fanout's, Spring Boot's, Resilience4j's), or is
	 * an entry of a declared map ({@code management.endpoint.health.group.liveness.include}).
	 */
	boolean declares(String name) {
		return this.properties.containsKey(name) || this.properties.entrySet()
			.stream()
			.anyMatch((entry) -> name.startsWith(entry.getKey() + ".") && isContainer(entry.getValue().path("type").asText()));
	}

	/**
	 * The declared properties that an environment variable sets: the property itself, or a map or
	 * collection property that it adds an entry to. Empty when it sets nothing the application reads.
	 */
	List<String> boundBy(String variable) {
		if (JVM_VARIABLES.contains(variable)) {
			return List.of(variable);
		}
		ConfigurationPropertySource source = environment(Map.of(variable, "x"));
		List<String> bound = new ArrayList<>();
		this.properties.forEach((name, property) -> {
			if (!ConfigurationPropertyName.isValid(name)) {
				return;
			}
			ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
			if (source.getConfigurationProperty(key) != null) {
				bound.add(name);
			}
			else if (isContainer(property.path("type").asText())
					&& source.containsDescendantOf(key) == ConfigurationPropertyState.PRESENT) {
				bound.add(name);
			}
		});
		return bound;
	}

	/**
	 * The value a property has with the given environment: the environment's, else application.yml's,
	 * else the declared default.
	 */
	Optional<String> value(String name, Map<String, String> environment) {
		ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
		List<ConfigurationPropertySource> sources = new ArrayList<>();
		sources.add(environment(environment));
		sources.addAll(this.defaults);
		for (ConfigurationPropertySource source : sources) {
			ConfigurationProperty property = source.getConfigurationProperty(key);
			if (property != null) {
				return Optional.of(String.valueOf(property.getValue()));
			}
		}
		JsonNode declared = this.properties.get(name);
		return (declared != null && declared.hasNonNull("defaultValue"))
				? Optional.of(declared.get("defaultValue").asText()) : Optional.empty();
	}

	private static ConfigurationPropertySource environment(Map<String, String> variables) {
		return ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
				StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new LinkedHashMap<>(variables)));
	}

	private static boolean isContainer(String type) {
		return type.startsWith("java.util.Map<") || type.startsWith("java.util.List<") || type.startsWith("java.util.Set<")
				|| type.startsWith("java.util.Collection<") || type.endsWith("[]");
	}

}
