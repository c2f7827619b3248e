package io.fanout.scheduler;

import reactor.core.publisher.Mono;

/** What a tenant may use and what it uses: read-only, from the database, the same on every replica. */
public interface LimitsService {

	/** The owner's quotas and its usage of them now. */
	Mono<TenantLimits> limits(String owner);

}
