package io.fanout.fetch;

import java.util.Objects;

/**
 * On whose behalf a batch is fetched. State that one caller's requests change, and that must not
 * change what another caller gets, is kept per scope: a host's circuit breaker opens for the
 * tenant whose requests failed, not for every tenant sending to that host.
 *
 * @param tenant the caller; 1 to 200 characters
 */
public record FetchScope(String tenant) {

	/** For callers that share everything: a single-tenant embedding, tests. */
	public static final FetchScope SHARED = new FetchScope("-");

	public FetchScope {
		Objects.requireNonNull(tenant, "tenant");
		if (tenant.isEmpty() || tenant.length() > 200) {
			throw new IllegalArgumentException("a tenant is 1 to 200 characters");
		}
	}

}
