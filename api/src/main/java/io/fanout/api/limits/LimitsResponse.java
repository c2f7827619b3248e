package io.fanout.api.limits;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.TenantLimits;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The calling tenant's quotas and usage.
 *
 * @param tenant the tenant
 * @param weight its share of the workers relative to other tenants'
 * @param quotas each quota and what the tenant uses of it
 */
@Schema(name = "Limits", description = "The calling tenant's quotas and what it uses of them now. Over `queuedJobs` "
		+ "or `storedBytes` a submission is refused, over `schedules` a schedule's creation (429 `quota-exceeded`); "
		+ "at `runningJobs` further jobs wait in the queue, at `requestsInFlight` further requests wait their turn.")
public record LimitsResponse(
		@Schema(description = "The tenant: the API key's, or the JWT's tenant claim.", example = "alice",
				requiredMode = Schema.RequiredMode.REQUIRED) String tenant,
		@Schema(description = "The tenant's share of the workers relative to other tenants': while several have "
				+ "jobs waiting, each runs jobs in proportion to its weight.", example = "1",
				requiredMode = Schema.RequiredMode.REQUIRED) int weight,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Quotas quotas) {

	static LimitsResponse of(TenantLimits limits) {
		QuotaProperties.Quota quota = limits.quota();
		return new LimitsResponse(limits.tenant(), quota.weight(),
				new Quotas(new Usage(quota.queuedJobs(), limits.queuedJobs()),
						new Usage(quota.runningJobs(), limits.runningJobs()), new Usage(quota.requestsInFlight(), null),
						new Usage(quota.schedules(), limits.schedules()),
						new Usage(quota.storedBytes().toBytes(), limits.storedBytes())));
	}

	/**
	 * The tenant's quotas.
	 *
	 * @param queuedJobs jobs waiting in the queue
	 * @param runningJobs jobs running, all instances together
	 * @param requestsInFlight requests in flight on one instance
	 * @param schedules schedules
	 * @param storedBytes bytes of stored result bodies
	 */
	@Schema(name = "Quotas")
	public record Quotas(
			@Schema(description = "Jobs waiting in the queue.", requiredMode = Schema.RequiredMode.REQUIRED)
			Usage queuedJobs,
			@Schema(description = "Jobs running, all Fanout instances together.",
					requiredMode = Schema.RequiredMode.REQUIRED) Usage runningJobs,
			@Schema(description = "Requests in flight at once on one Fanout instance, all the tenant's jobs "
					+ "together; the usage is not reported (it is per instance).",
					requiredMode = Schema.RequiredMode.REQUIRED) Usage requestsInFlight,
			@Schema(description = "Schedules.", requiredMode = Schema.RequiredMode.REQUIRED) Usage schedules,
			@Schema(description = "Bytes of result bodies stored for the tenant's jobs, finished ones included "
					+ "until they are deleted or purged.", requiredMode = Schema.RequiredMode.REQUIRED)
			Usage storedBytes) {
	}

	/**
	 * One quota and its usage.
	 *
	 * @param limit the quota
	 * @param usage what the tenant uses of it now, if reported
	 */
	@Schema(name = "QuotaUsage")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Usage(@Schema(description = "The quota.", example = "500",
			requiredMode = Schema.RequiredMode.REQUIRED) long limit,
			@Schema(description = "What the tenant uses of it now.", example = "3") @Nullable Long usage) {
	}

}
