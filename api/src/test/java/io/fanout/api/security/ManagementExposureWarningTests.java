package io.fanout.api.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerInitializedEvent;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * A startup warning when the unauthenticated actuator endpoints listen on a non-loopback address
 * (or on all interfaces); none on loopback.
 */
@ExtendWith(OutputCaptureExtension.class)
class ManagementExposureWarningTests {

	@Test
	void loopbackIsQuiet() throws UnknownHostException {
		assertThat(ManagementExposureWarning.warning(InetAddress.getByName("127.0.0.1"), 8081,
				"management.server.address")).isNull();
		assertThat(ManagementExposureWarning.warning(InetAddress.getByName("::1"), 8081, "management.server.address"))
			.isNull();
	}

	@Test
	void allInterfacesOrAPublicAddressWarn() throws UnknownHostException {
		assertThat(ManagementExposureWarning.warning(null, 8081, "management.server.address"))
			.isEqualTo("The actuator endpoints (health, info, Prometheus metrics with upstream host tags) listen on "
					+ "all interfaces, port 8081, without authentication: set management.server.address=127.0.0.1, "
					+ "or keep the port to a trusted network.");
		assertThat(ManagementExposureWarning.warning(InetAddress.getByName("0.0.0.0"), 8081, "server.address"))
			.contains("listen on all interfaces, port 8081");
		assertThat(ManagementExposureWarning.warning(InetAddress.getByName("10.1.2.3"), 9000, "management.server.address"))
			.contains("listen on 10.1.2.3, port 9000");
	}

	@Test
	void aManagementServerOfItsOwnOnAPublicAddressIsLoggedAtStartup(CapturedOutput output) {
		MockEnvironment environment = new MockEnvironment().withProperty("server.port", "8080")
			.withProperty("management.server.port", "8081")
			.withProperty("management.server.address", "192.0.2.7");
		ManagementExposureWarning listener = new ManagementExposureWarning(environment);

		listener.onApplicationEvent(started("server", 8080));
		assertThat(output.getAll()).doesNotContain("actuator endpoints");
		listener.onApplicationEvent(started("management", 8081));
		assertThat(output.getAll()).contains("WARN")
			.contains("listen on 192.0.2.7, port 8081, without authentication: set management.server.address=127.0.0.1");
	}

	@Test
	void aManagementServerOnLoopbackIsNotLogged(CapturedOutput output) {
		MockEnvironment environment = new MockEnvironment().withProperty("management.server.port", "8081")
			.withProperty("management.server.address", "127.0.0.1");

		new ManagementExposureWarning(environment).onApplicationEvent(started("management", 8081));

		assertThat(output.getAll()).doesNotContain("actuator endpoints");
	}

	@Test
	void endpointsOnTheApiPortFollowTheServerAddress(CapturedOutput output) {
		ManagementExposureWarning loopback = new ManagementExposureWarning(
				new MockEnvironment().withProperty("server.address", "127.0.0.1"));
		loopback.onApplicationEvent(started(null, 8080));
		assertThat(output.getAll()).doesNotContain("actuator endpoints");

		new ManagementExposureWarning(new MockEnvironment()).onApplicationEvent(started(null, 8080));
		assertThat(output.getAll()).contains("listen on all interfaces, port 8080, without authentication: set "
				+ "server.address=127.0.0.1");
	}

	private static ReactiveWebServerInitializedEvent started(String namespace, int port) {
		WebServer server = mock(WebServer.class);
		given(server.getPort()).willReturn(port);
		ReactiveWebServerApplicationContext context = mock(ReactiveWebServerApplicationContext.class);
		given(context.getServerNamespace()).willReturn(namespace);
		return new ReactiveWebServerInitializedEvent(server, context);
	}

}
