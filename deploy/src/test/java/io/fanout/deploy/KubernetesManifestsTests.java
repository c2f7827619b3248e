package io.fanout.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every overlay of deploy/kubernetes, rendered by {@code kubectl kustomize} (with and without the
 * optional components), read into Kubernetes' types, and held against the application it deploys:
 * its properties, health groups and ports, its shutdown timings, and the image's user and volumes.
 */
class KubernetesManifestsTests {

	/** The overlays as they are, and with the optional components. */
	static Stream<String> renders() {
		return Stream.of("embedded", "postgres", "embedded+service-monitor", "postgres+keda+service-monitor",
				"postgres+tracing");
	}

	private static final Map<String, Manifests> RENDERED = new LinkedHashMap<>();

	private static ApplicationSettings settings;

	@BeforeAll
	static void render() throws Exception {
		settings = new ApplicationSettings();
		for (String render : renders().toList()) {
			List<String> parts = Arrays.asList(render.split("\\+"));
			RENDERED.put(render, new Manifests(Kustomize.render(parts.get(0), parts.subList(1, parts.size()))));
		}
	}

	@ParameterizedTest
	@MethodSource("renders")
	void everyEnvironmentVariableSetsAPropertyOfTheApplication(String render) {
		Map<String, String> environment = environment(RENDERED.get(render));
		assertThat(environment).isNotEmpty();
		environment.keySet()
			.forEach((variable) -> assertThat(settings.boundBy(variable))
				.as("properties that %s sets (relaxed binding)", variable)
				.isNotEmpty());
	}

	@ParameterizedTest
	@MethodSource("renders")
	void probesAskTheHealthGroupsOnTheManagementPort(String render) {
		Manifests manifests = RENDERED.get(render);
		Map<String, String> environment = environment(manifests);
		Container container = container(manifests);
		assertThat(value("management.endpoint.health.probes.enabled", environment)).isEqualTo("true");
		assertThat(value("management.endpoints.web.exposure.include", environment)).contains("health");
		assertThat(value("management.endpoint.health.group.liveness.include", environment)).contains("livenessState");
		assertThat(value("management.endpoint.health.group.readiness.include", environment)).contains("readinessState");
		String health = value("management.endpoints.web.base-path", environment) + "/health";
		int managementPort = Integer.parseInt(value("management.server.port", environment));
		assertThat(port(container, "management")).isEqualTo(managementPort);
		assertThat(port(container, "http")).isEqualTo(Integer.parseInt(value("server.port", environment)));
		assertProbe(container, container.getStartupProbe(), health + "/liveness", managementPort);
		assertProbe(container, container.getLivenessProbe(), health + "/liveness", managementPort);
		assertProbe(container, container.getReadinessProbe(), health + "/readiness", managementPort);
	}

	@ParameterizedTest
	@MethodSource("renders")
	void shutdownFitsInTheTerminationGracePeriod(String render) {
		Manifests manifests = RENDERED.get(render);
		Map<String, String> environment = environment(manifests);
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
		Duration grace = DurationStyle.detectAndParse(value("fanout.scheduler.shutdown-grace-period", environment));
		Duration phase = DurationStyle.detectAndParse(value("spring.lifecycle.timeout-per-shutdown-phase", environment));
		Duration preStop = Duration.ofSeconds(container(manifests).getLifecycle().getPreStop().getSleep().getSeconds());
		Duration termination = Duration.ofSeconds(pod.getTerminationGracePeriodSeconds());
		assertThat(value("server.shutdown", environment)).as("server.shutdown").isEqualToIgnoringCase("graceful");
		// Running jobs get the grace period, then up to 5 s to be released (JobWorker), within one phase.
		assertThat(grace.plusSeconds(5)).as("grace period and release within one shutdown phase").isLessThanOrEqualTo(phase);
		assertThat(preStop).isPositive();
		// The job worker's phase, then the web server's graceful stop: each may take a whole phase.
		assertThat(termination).as("terminationGracePeriodSeconds")
			.isGreaterThanOrEqualTo(preStop.plus(phase.multipliedBy(2)));
	}

	@ParameterizedTest
	@MethodSource("renders")
	void podRunsAsTheImagesUserWithWritableVolumesOnlyWhereTheImageHasThem(String render) {
		Manifests manifests = RENDERED.get(render);
		Dockerfile image = Dockerfile.read();
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
		PodSecurityContext podSecurity = pod.getSecurityContext();
		assertThat(podSecurity.getRunAsNonRoot()).isTrue();
		assertThat(podSecurity.getRunAsUser()).isEqualTo(image.uid());
		assertThat(podSecurity.getRunAsGroup()).isEqualTo(image.gid());
		assertThat(podSecurity.getFsGroup()).isEqualTo(image.gid());
		assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		assertThat(pod.getAutomountServiceAccountToken()).isFalse();
		Container container = container(manifests);
		SecurityContext security = container.getSecurityContext();
		assertThat(security.getReadOnlyRootFilesystem()).isTrue();
		assertThat(security.getAllowPrivilegeEscalation()).isFalse();
		assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
		assertThat(container.getVolumeMounts()).extracting(VolumeMount::getMountPath)
			.containsExactlyInAnyOrderElementsOf(image.volumes());
		assertThat(pod.getVolumes()).extracting(Volume::getName)
			.containsExactlyInAnyOrderElementsOf(container.getVolumeMounts().stream().map(VolumeMount::getName).toList());
		String dataDir = value("fanout.data-dir", environment(manifests));
		assertThat(dataDir).isEqualTo(image.env().get("FANOUT_DATA_DIR")).isIn(image.volumes());
		assertThat(container.getImage()).isNotBlank();
	}

	@ParameterizedTest
	@MethodSource("renders")
	void servicesAndMonitorsUseTheContainersNamedPorts(String render) {
		Manifests manifests = RENDERED.get(render);
		Container container = container(manifests);
		Map<String, String> podLabels = manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
		for (Service service : manifests.all(Service.class)) {
			assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
			for (ServicePort port : service.getSpec().getPorts()) {
				assertThat(port(container, port.getTargetPort().getStrVal())).isEqualTo(port.getPort());
			}
		}
		for (Map<String, Object> monitor : manifests.custom("ServiceMonitor")) {
			Map<String, Object> spec = map(monitor, "spec");
			Map<String, Object> selector = map(spec, "selector", "matchLabels");
			Service scraped = manifests.all(Service.class)
				.stream()
				.filter((service) -> service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no Service matches the ServiceMonitor's selector " + selector));
			for (Object item : (List<?>) spec.get("endpoints")) {
				@SuppressWarnings("unchecked")
				Map<String, Object> endpoint = (Map<String, Object>) item;
				assertThat(scraped.getSpec().getPorts()).extracting(ServicePort::getName).contains((String) endpoint.get("port"));
				assertThat(endpoint.get("path"))
					.isEqualTo(value("management.endpoints.web.base-path", Map.of()) + "/prometheus");
			}
			assertThat(value("management.endpoints.web.exposure.include", Map.of())).contains("prometheus");
		}
	}

	@ParameterizedTest
	@MethodSource("renders")
	void upstreamTrafficMayLeaveForThePublicInternetOnly(String render) {
		NetworkPolicy policy = RENDERED.get(render).named(NetworkPolicy.class, "fanout");
		assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress", "Egress");
		List<NetworkPolicyPeer> ipBlocks = policy.getSpec()
			.getEgress()
			.stream()
			.flatMap((rule) -> rule.getTo().stream())
			.filter((peer) -> peer.getIpBlock() != null)
			.toList();
		assertThat(ipBlocks).extracting((peer) -> peer.getIpBlock().getCidr()).containsExactlyInAnyOrder("0.0.0.0/0", "::/0");
		assertThat(ipBlocks.get(0).getIpBlock().getExcept()).contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
				"169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10");
		assertThat(ipBlocks.get(1).getIpBlock().getExcept()).contains("fc00::/7", "fe80::/10", "::1/128");
		assertThat(policy.getSpec().getEgress()).anySatisfy((rule) -> assertThat(rule.getPorts())
			.anySatisfy((port) -> assertThat(port.getPort()).isEqualTo(new IntOrString(53))));
	}

	@Test
	void embeddedRunsOneReplicaReplacedNotRolledOnAPersistentClaim() {
		Manifests manifests = RENDERED.get("embedded");
		Deployment deployment = manifests.one(Deployment.class);
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
		assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
		Volume data = volume(deployment, "/data");
		assertThat(data.getEmptyDir()).isNull();
		manifests.named(PersistentVolumeClaim.class, data.getPersistentVolumeClaim().getClaimName());
		assertThat(manifests.kinds()).doesNotContain("HorizontalPodAutoscaler", "ScaledObject", "PodDisruptionBudget");
		assertThat(environment(manifests)).doesNotContainKey("SPRING_R2DBC_URL");
	}

	@Test
	void postgresRunsReplicasOnTheDatabaseOfASecretWithABudgetAndAnAutoscalerOnTheQueue() {
		Manifests manifests = RENDERED.get("postgres");
		Deployment deployment = manifests.one(Deployment.class);
		assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
		assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
		Container container = container(manifests);
		for (String variable : List.of("SPRING_R2DBC_URL", "SPRING_R2DBC_USERNAME", "SPRING_R2DBC_PASSWORD")) {
			assertThat(container.getEnv()).filteredOn((env) -> env.getName().equals(variable))
				.singleElement()
				.satisfies((env) -> assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fanout-database"));
		}
		Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
		PodDisruptionBudget budget = manifests.one(PodDisruptionBudget.class);
		assertThat(podLabels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
		HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);
		assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
		assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
		assertThat(hpa.getSpec().getMetrics()).extracting(KubernetesManifestsTests::metricName)
			.containsExactly("fanout_tenant_jobs");
		List<NetworkPolicyEgressRule> database = manifests.named(NetworkPolicy.class, "fanout-database").getSpec().getEgress();
		assertThat(database).singleElement()
			.satisfies((rule) -> assertThat(rule.getPorts()).extracting((port) -> port.getPort().getIntVal()).containsExactly(5432));
	}

	@Test
	void kedaComponentReplacesTheHpaWithAScaledObjectOnTheSameQueue() {
		Manifests manifests = RENDERED.get("postgres+keda+service-monitor");
		assertThat(manifests.all(HorizontalPodAutoscaler.class)).isEmpty();
		Map<String, Object> scaled = manifests.custom("ScaledObject").get(0);
		assertThat(map(scaled, "spec", "scaleTargetRef").get("name"))
			.isEqualTo(manifests.one(Deployment.class).getMetadata().getName());
		@SuppressWarnings("unchecked")
		Map<String, Object> trigger = (Map<String, Object>) ((List<?>) map(scaled, "spec").get("triggers")).get(0);
		assertThat(trigger.get("type")).isEqualTo("prometheus");
		assertThat((String) map(trigger, "metadata").get("query")).contains("fanout_tenant_jobs");
		assertThat(map(trigger, "metadata").get("threshold"))
			.isEqualTo(value("fanout.scheduler.max-concurrent-jobs", environment(manifests)));
	}

	@Test
	void tracingComponentTurnsTracingOnAndOpensOnlyTheCollectorsPort() {
		Manifests off = RENDERED.get("postgres");
		assertThat(value("management.opentelemetry.enabled", environment(off))).isEqualTo("false");
		Manifests on = RENDERED.get("postgres+tracing");
		Map<String, String> environment = environment(on);
		assertThat(value("management.opentelemetry.enabled", environment)).isEqualTo("true");
		assertThat(value("management.opentelemetry.tracing.export.otlp.endpoint", environment))
			.endsWith(":4318/v1/traces");
		List<NetworkPolicyEgressRule> collector = on.named(NetworkPolicy.class, "fanout-collector").getSpec().getEgress();
		assertThat(collector).singleElement()
			.satisfies((rule) -> assertThat(rule.getPorts()).extracting((port) -> port.getPort().getIntVal()).containsExactly(4318));
	}

	private static String metricName(MetricSpec metric) {
		return switch (metric.getType()) {
			case "External" -> metric.getExternal().getMetric().getName();
			case "Pods" -> metric.getPods().getMetric().getName();
			default -> metric.getType();
		};
	}

	private static void assertProbe(Container container, Probe probe, String path, int managementPort) {
		assertThat(probe).as("probe for %s", path).isNotNull();
		HTTPGetAction get = probe.getHttpGet();
		assertThat(get.getPath()).isEqualTo(path);
		assertThat(port(container, get.getPort().getStrVal())).isEqualTo(managementPort);
	}

	private static String value(String property, Map<String, String> environment) {
		assertThat(settings.declares(property)).as("%s is a property of the application", property).isTrue();
		return settings.value(property, environment)
			.orElseThrow(() -> new AssertionError(property + " has no value, neither set nor by default"));
	}

	private static Container container(Manifests manifests) {
		List<Container> containers = manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers();
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	private static int port(Container container, String name) {
		return container.getPorts()
			.stream()
			.filter((port) -> name.equals(port.getName()))
			.map(ContainerPort::getContainerPort)
			.findFirst()
			.orElseThrow(() -> new AssertionError("the container has no port named " + name));
	}

	private static Volume volume(Deployment deployment, String mountPath) {
		String name = deployment.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers()
			.get(0)
			.getVolumeMounts()
			.stream()
			.filter((mount) -> mount.getMountPath().equals(mountPath))
			.findFirst()
			.orElseThrow()
			.getName();
		return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
			.filter((volume) -> volume.getName().equals(name))
			.findFirst()
			.orElseThrow();
	}

	/**
	 * The container's environment as the application sees it: the ConfigMaps it takes whole, then its
	 * own variables (those from a Secret or the pod's fields with a stand-in value).
	 */
	private static Map<String, String> environment(Manifests manifests) {
		Container container = container(manifests);
		Map<String, String> environment = new LinkedHashMap<>();
		List<String> secrets = new ArrayList<>();
		for (EnvFromSource source : container.getEnvFrom()) {
			if (source.getConfigMapRef() != null) {
				environment.putAll(manifests.named(ConfigMap.class, source.getConfigMapRef().getName()).getData());
			}
			else {
				secrets.add(source.getSecretRef().getName());
			}
		}
		assertThat(secrets).as("Secrets taken whole: API keys and callback secrets")
			.containsExactlyInAnyOrder("fanout-api-keys", "fanout-callback-secrets");
		for (EnvVar variable : container.getEnv()) {
			environment.put(variable.getName(), (variable.getValue() != null) ? variable.getValue() : "from-" + variable.getName());
		}
		return environment;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> map, String... path) {
		Map<String, Object> current = map;
		for (String key : path) {
			current = (Map<String, Object>) current.get(key);
			assertThat(current).as("%s in %s", key, map).isNotNull();
		}
		return current;
	}

}
