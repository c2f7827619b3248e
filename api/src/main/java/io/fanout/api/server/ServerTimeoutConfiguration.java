package io.fanout.api.server;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Applies {@link ServerTimeoutProperties} to Reactor Netty, which Spring Boot has no properties for.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ServerTimeoutProperties.class)
class ServerTimeoutConfiguration {

	@Bean
	NettyServerCustomizer fanoutServerTimeouts(ServerTimeoutProperties timeouts) {
		return (server) -> server.readTimeout(timeouts.readTimeout()).requestTimeout(timeouts.requestTimeout());
	}

}
