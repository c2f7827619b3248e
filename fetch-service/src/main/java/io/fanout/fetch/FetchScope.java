package io.fanout.fetch;

import java.util.Objects;

/**
 * On whose behalf a batch is fetched. State that one caller's requests change, and that must not
 * change what another caller gets, is kept per scope: a host's circuit breaker opens for the
 * tenant whose requests failed, not for every tenant sending to that host; flow keys are the
 * tenant's own.
 *
 * @param tenant the caller; 1 to 200 characters
 * @param maxInFlight most requests of the tenant in flight at once in this process, all its batches
 * together; requests beyond wait their turn
 */
public record FetchScope(String tenant, int maxInFlight) {

	/** No bound on a tenant's requests in flight but the process's. */
	public static final int UNLIMITED = Integer.MAX_VALUE;

	/** For callers that share everything: a single-tenant embedding, tests. */
	public static final FetchScope SHARED = new FetchScope("-");

	public FetchScope {
		Objects.requireNonNull(tenant, "tenant");
		if (tenant.isEmpty() || tenant.length() > 200) {
			throw new IllegalArgumentException("a tenant is 1 to 200 characters");
		}
		if (maxInFlight < 1) {
			throw new IllegalArgumentException("a tenant may have at least one request in flight");
		}
	}

	/** A tenant bounded only by the process. */
	public FetchScope(String tenant) {
		this(tenant, UNLIMITED);
	}

}
