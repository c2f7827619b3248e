package io.fanout.api.tracing;

import io.micrometer.tracing.Tracer;
import io.opentelemetry.context.Context;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing off means no spans at all. With {@code management.opentelemetry.enabled=false} Spring Boot
 * still builds an OpenTelemetry SDK without exporters, whose spans record in memory and go nowhere;
 * the no-op tracer instead makes every span free, so API calls, job runs and upstream requests pay
 * nothing for tracing until it is turned on.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	TracingConfiguration() {
		// OpenTelemetry looks its context storage up with a ServiceLoader, reading jar files, the first
		// time a context is asked for, tracing on or off (the context propagation of Reactor asks): here,
		// at start-up, never on an event loop.
		Context.current();
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "management.opentelemetry.enabled", havingValue = false)
	Tracer tracingOff() {
		return Tracer.NOOP;
	}

}
