package io.fanout.deploy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Rendered manifests read into fabric8's typed Kubernetes objects. A field that the type does not
 * know (fabric8 keeps it in {@code additionalProperties}) is an error, and so is an object of a kind
 * that is neither typed here nor one of the custom resources the components add (kept as maps).
 */
final class Manifests {

	private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of("v1/ConfigMap", ConfigMap.class,
			"v1/Secret", Secret.class, "v1/Service", Service.class, "v1/ServiceAccount", ServiceAccount.class,
			"v1/PersistentVolumeClaim", PersistentVolumeClaim.class, "apps/v1/Deployment", Deployment.class,
			"apps/v1/StatefulSet", StatefulSet.class, "autoscaling/v2/HorizontalPodAutoscaler",
			HorizontalPodAutoscaler.class, "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
			"policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

	/** Custom resources: no model to check them against, so the tests look at their fields. */
	private static final List<String> CUSTOM = List.of("keda.sh/v1alpha1/ScaledObject",
			"monitoring.coreos.com/v1/ServiceMonitor");

	private static final ObjectMapper JSON = new ObjectMapper();

	private final List<HasMetadata> objects = new ArrayList<>();

	private final List<Map<String, Object>> custom = new ArrayList<>();

	@SuppressWarnings("unchecked")
	Manifests(String yaml) {
		Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
		for (Object document : parser.loadAll(yaml)) {
			if (document == null) {
				continue;
			}
			Map<String, Object> map = (Map<String, Object>) document;
			String type = map.get("apiVersion") + "/" + map.get("kind");
			if (CUSTOM.contains(type)) {
				this.custom.add(map);
				continue;
			}
			Class<? extends HasMetadata> typeClass = TYPES.get(type);
			if (typeClass == null) {
				throw new AssertionError("an object of a kind that no check knows: " + type);
			}
			HasMetadata object = JSON.convertValue(map, typeClass);
			List<String> unknown = new ArrayList<>();
			unknownFields(object, type + " " + object.getMetadata().getName(), unknown);
			if (!unknown.isEmpty()) {
				throw new AssertionError("fields unknown to Kubernetes' " + type + ": " + unknown);
			}
			this.objects.add(object);
		}
	}

	<T extends HasMetadata> List<T> all(Class<T> type) {
		return this.objects.stream().filter(type::isInstance).map(type::cast).toList();
	}

	<T extends HasMetadata> T one(Class<T> type) {
		List<T> all = all(type);
		if (all.size() != 1) {
			throw new AssertionError("expected one " + type.getSimpleName() + ", found " + all.size());
		}
		return all.get(0);
	}

	<T extends HasMetadata> T named(Class<T> type, String name) {
		return all(type).stream()
			.filter((object) -> object.getMetadata().getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
	}

	/** The custom resources of a kind, as maps. */
	List<Map<String, Object>> custom(String kind) {
		return this.custom.stream().filter((map) -> kind.equals(map.get("kind"))).toList();
	}

	List<String> kinds() {
		List<String> kinds = new ArrayList<>(this.objects.stream().map(HasMetadata::getKind).toList());
		this.custom.forEach((map) -> kinds.add((String) map.get("kind")));
		return kinds;
	}

	private static void unknownFields(Object value, String path, List<String> unknown) {
		if (value == null) {
			return;
		}
		if (value instanceof Collection<?> items) {
			int i = 0;
			for (Object item : items) {
				unknownFields(item, path + "[" + i++ + "]", unknown);
			}
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, item) -> unknownFields(item, path + "[" + key + "]", unknown));
			return;
		}
		if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
			return;
		}
		for (Method method : value.getClass().getMethods()) {
			if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
					|| !method.getName().startsWith("get") || method.getName().equals("getClass")) {
				continue;
			}
			Object field;
			try {
				field = method.invoke(value);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
			if (method.getName().equals("getAdditionalProperties")) {
				if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
					unknown.add(path + ": " + extra.keySet());
				}
				continue;
			}
			unknownFields(field, path + "." + method.getName().substring(3, 4).toLowerCase()
					+ method.getName().substring(4), unknown);
		}
	}

}
