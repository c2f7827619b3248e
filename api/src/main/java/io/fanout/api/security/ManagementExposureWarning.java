package io.fanout.api.security;

import java.net.InetAddress;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Warns at startup when the actuator endpoints listen beyond loopback: they need no credentials, and
 * health and Prometheus metrics (upstream hosts among their tags) tell a visitor about every tenant's
 * work. The address is {@code management.server.address} when the management server has a port of its
 * own, else {@code server.address}.
 */
@Component
class ManagementExposureWarning implements ApplicationListener<WebServerInitializedEvent> {

	private static final Log logger = LogFactory.getLog(ManagementExposureWarning.class);

	private final Environment environment;

	ManagementExposureWarning(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		String namespace = event.getApplicationContext().getServerNamespace();
		String property;
		ManagementPortType type = ManagementPortType.get(this.environment);
		if (type == ManagementPortType.DIFFERENT && "management".equals(namespace)) {
			property = "management.server.address";
		}
		else if (type == ManagementPortType.SAME && (namespace == null || "server".equals(namespace))) {
			property = "server.address";
		}
		else {
			return;
		}
		InetAddress address = Binder.get(this.environment).bind(property, InetAddress.class).orElse(null);
		String warning = warning(address, event.getWebServer().getPort(), property);
		if (warning != null) {
			logger.warn(warning);
		}
	}

	/** The warning for actuator endpoints on this address (null: all interfaces), or null on loopback. */
	static @Nullable String warning(@Nullable InetAddress address, int port, String property) {
		if (address != null && address.isLoopbackAddress()) {
			return null;
		}
		String where = (address == null || address.isAnyLocalAddress()) ? "all interfaces"
				: address.getHostAddress();
		return "The actuator endpoints (health, info, Prometheus metrics with upstream host tags) listen on "
				+ where + ", port " + port + ", without authentication: set " + property
				+ "=127.0.0.1, or keep the port to a trusted network.";
	}

}
