package io.fanout.api.server;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the API server waits for a request's body, so that a client sending it slowly, or not at
 * all, cannot hold a connection for ever. Waiting for a request on an idle connection is Spring Boot's
 * {@code server.netty.idle-timeout}.
 *
 * @param readTimeout longest pause between two reads of a request's body; the request is then answered 408
 * ({@code request-timeout}) and the connection closed
 * @param requestTimeout longest time to read a whole request body; the request is then answered 408
 * ({@code request-timeout}) and the connection closed
 */
@ConfigurationProperties("fanout.server")
public record ServerTimeoutProperties(@DefaultValue("30s") Duration readTimeout,
		@DefaultValue("60s") Duration requestTimeout) {

	public ServerTimeoutProperties {
		if (readTimeout == null || readTimeout.isNegative() || readTimeout.isZero() || requestTimeout == null
				|| requestTimeout.isNegative() || requestTimeout.isZero()) {
			throw new IllegalArgumentException("fanout.server.read-timeout and request-timeout must be positive");
		}
	}

}
