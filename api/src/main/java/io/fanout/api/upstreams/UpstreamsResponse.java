package io.fanout.api.upstreams;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.fetch.UpstreamState;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The hosts a tenant's requests went to.
 *
 * @param hosts one entry per host, by name
 */
@Schema(name = "Upstreams", description = "The upstream hosts the tenant's requests reached recently on this instance.")
record UpstreamsResponse(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<Host> hosts) {

	static UpstreamsResponse of(List<UpstreamState> states) {
		return new UpstreamsResponse(states.stream().map(Host::of).toList());
	}

	/**
	 * One upstream host.
	 *
	 * @param host the host name, lower case
	 * @param breaker the tenant's circuit breaker for it
	 * @param concurrency the host's concurrency, all tenants together
	 * @param ratePerSecond its configured rate, if any
	 * @param slowedDownTo the rate it is slowed down to after answering 429, if it is
	 */
	@Schema(name = "UpstreamHost", description = "One upstream host: the tenant's breaker for it, and its shared limits.",
			requiredProperties = { "host", "breaker", "concurrency" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Host(@Schema(example = "api.example.com") String host, Breaker breaker, Concurrency concurrency,
			@Schema(description = "The host's configured rate (`fanout.fetch.hosts.[<host>].rate`), requests per "
					+ "second, all replicas together.", example = "50") @Nullable Double ratePerSecond,
			@Schema(description = "The rate the host is slowed down to after it answered 429, requests per second; "
					+ "absent when it is not.", example = "12.5") @Nullable Double slowedDownTo) {

		static Host of(UpstreamState state) {
			return new Host(state.host(),
					new Breaker(state.breaker(), state.failureRate(), state.slowCallRate(), state.succeeded(),
							state.failed(), state.notPermitted()),
					new Concurrency(state.inFlight(), state.waiting(), state.maxConcurrency()), state.ratePerSecond(),
					state.slowedDownTo());
		}

	}

	/**
	 * A tenant's circuit breaker for a host.
	 *
	 * @param state its state
	 * @param failureRate percentage of failures in its window, once the window is full enough
	 * @param slowCallRate percentage of slow calls likewise
	 * @param succeeded calls that succeeded in the window
	 * @param failed calls that failed in the window
	 * @param notPermitted calls refused while it was open
	 */
	@Schema(name = "UpstreamBreaker", description = "The tenant's own circuit breaker for the host: other tenants' "
			+ "failures never open it. Counts are those of its sliding window.",
			requiredProperties = { "state", "succeeded", "failed", "notPermitted" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Breaker(
			@Schema(description = "CLOSED lets requests through; OPEN refuses them (outcome CIRCUIT_OPEN) until its "
					+ "wait is over; HALF_OPEN lets a few through to test the host.", example = "CLOSED") String state,
			@Schema(description = "Percentage of failed calls in the window; absent until it holds its minimum "
					+ "number of calls.", example = "4.5") @Nullable Float failureRate,
			@Schema(description = "Percentage of slow calls in the window, likewise.", example = "0") @Nullable Float slowCallRate,
			@Schema(example = "95") int succeeded, @Schema(example = "5") int failed,
			@Schema(description = "Calls refused while it was open.", example = "0") long notPermitted) {
	}

	/**
	 * A host's concurrency, all tenants together.
	 *
	 * @param inFlight requests in flight to it now
	 * @param waiting requests waiting for a slot now
	 * @param max most in flight at once
	 */
	@Schema(name = "UpstreamConcurrency", description = "Requests to the host on this instance, every tenant's "
			+ "together: the host's bulkhead.", requiredProperties = { "inFlight", "waiting", "max" })
	record Concurrency(@Schema(example = "12") int inFlight, @Schema(example = "0") int waiting,
			@Schema(example = "10000") int max) {
	}

}
