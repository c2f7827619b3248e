/**
 * Tracing: Micrometer Tracing on OpenTelemetry, exported over OTLP, off unless
 * {@code management.opentelemetry.enabled} is true. Spans of the API calls come from Spring's server
 * observations; job runs and upstream requests trace themselves (scheduler and fetch modules).
 */
@NullMarked
package io.fanout.api.tracing;

import org.jspecify.annotations.NullMarked;
