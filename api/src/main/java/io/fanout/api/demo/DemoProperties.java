package io.fanout.api.demo;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the demo upstream (profile {@code demo} only).
 *
 * @param delay how long {@code GET /demo/weather/{city}} takes to answer
 */
@ConfigurationProperties("fanout.demo")
public record DemoProperties(@DefaultValue("2s") Duration delay) {

	public DemoProperties {
		if (delay.isNegative()) {
			throw new IllegalArgumentException("fanout.demo.delay must not be negative");
		}
	}

}
