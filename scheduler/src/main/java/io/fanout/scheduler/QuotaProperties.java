package io.fanout.scheduler;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;

/**
 * Quotas per tenant and the tenants' shares of the workers: {@code fanout.scheduler.quotas.default.*}
 * for every tenant, {@code fanout.scheduler.quotas.tenants.<tenant>.*} for one, each of its settings
 * falling back to the default's.
 *
 * @param defaultQuota the quotas and weight of every tenant not configured otherwise
 * @param tenants quotas and weights of named tenants (the API key's tenant or the JWT's subject);
 * what a tenant leaves out is the default's
 * @param retryAfter the wait suggested to a client whose submission is over a quota
 * @param metricsTenants most tenants with gauges of their own; the rest are summed under the
 * tenant {@code _other}, so that the metrics stay bounded however many tenants there are
 * @param metricsInterval how often the per-tenant gauges are read from the database
 */
@ConfigurationProperties("fanout.scheduler.quotas")
public record QuotaProperties(@Name("default") @DefaultValue Quota defaultQuota,
		@DefaultValue Map<String, TenantQuota> tenants, @DefaultValue("5s") Duration retryAfter,
		@DefaultValue("50") int metricsTenants, @DefaultValue("10s") Duration metricsInterval) {

	public QuotaProperties {
		tenants = (tenants != null) ? Collections.unmodifiableMap(new TreeMap<>(tenants)) : Map.of();
		if (retryAfter == null || retryAfter.isNegative()) {
			throw new IllegalArgumentException("fanout.scheduler.quotas.retry-after must not be negative");
		}
		if (metricsTenants < 0) {
			throw new IllegalArgumentException("fanout.scheduler.quotas.metrics-tenants must not be negative");
		}
		if (metricsInterval == null || metricsInterval.isNegative() || metricsInterval.isZero()) {
			throw new IllegalArgumentException("fanout.scheduler.quotas.metrics-interval must be positive");
		}
	}

	/** The defaults, as documented on each property. */
	public static QuotaProperties defaults() {
		return new QuotaProperties(Quota.DEFAULT, Map.of(), Duration.ofSeconds(5), 50, Duration.ofSeconds(10));
	}

	/** The quotas of this tenant: its own settings, the default's for what it leaves out. */
	public Quota of(String tenant) {
		TenantQuota own = this.tenants.get(tenant);
		return (own != null) ? own.over(this.defaultQuota) : this.defaultQuota;
	}

	/**
	 * A tenant's quotas. Jobs count against the job quotas from their submission until they end; a
	 * finished job counts only in {@code storedBytes}, until it is deleted or purged.
	 *
	 * @param queuedJobs most jobs of the tenant waiting in the queue; submissions beyond are refused (429)
	 * @param runningJobs most jobs of the tenant running at once, all instances together; the others
	 * wait in the queue
	 * @param requestsInFlight most requests of the tenant in flight at once on one instance, all its jobs
	 * together; the others wait their turn
	 * @param schedules most schedules of the tenant; creations beyond are refused (429)
	 * @param storedBytes most bytes of result bodies stored for the tenant's jobs; once reached,
	 * submissions are refused (429) until jobs are deleted or purged
	 * @param weight the tenant's share of the workers relative to other tenants': a tenant of weight 2
	 * gets twice the running jobs of one of weight 1 while both have jobs waiting
	 */
	public record Quota(@DefaultValue("500") int queuedJobs, @DefaultValue("50") int runningJobs,
			@DefaultValue("1000") int requestsInFlight, @DefaultValue("100") int schedules,
			@DefaultValue("1GB") DataSize storedBytes, @DefaultValue("1") int weight) {

		/** The defaults, as documented on each component. */
		public static final Quota DEFAULT = new Quota(500, 50, 1000, 100, DataSize.ofGigabytes(1), 1);

		public Quota {
			if (queuedJobs < 0 || runningJobs < 0 || schedules < 0) {
				throw new IllegalArgumentException("job and schedule quotas must not be negative");
			}
			if (requestsInFlight < 1) {
				throw new IllegalArgumentException("a tenant may have at least one request in flight");
			}
			if (storedBytes == null || storedBytes.isNegative()) {
				throw new IllegalArgumentException("the stored-bytes quota must not be negative");
			}
			if (weight < 1 || weight > 1000) {
				throw new IllegalArgumentException("a tenant's weight is 1 to 1000");
			}
		}

	}

	/**
	 * One tenant's settings; each one left out is the default's.
	 *
	 * @param queuedJobs most jobs of the tenant waiting in the queue
	 * @param runningJobs most jobs of the tenant running at once, all instances together
	 * @param requestsInFlight most requests of the tenant in flight at once on one instance
	 * @param schedules most schedules of the tenant
	 * @param storedBytes most bytes of result bodies stored for the tenant's jobs
	 * @param weight the tenant's share of the workers relative to other tenants'
	 */
	public record TenantQuota(@Nullable Integer queuedJobs, @Nullable Integer runningJobs,
			@Nullable Integer requestsInFlight, @Nullable Integer schedules, @Nullable DataSize storedBytes,
			@Nullable Integer weight) {

		public TenantQuota {
			// Checked with the defaults filled in, so that a bad value fails at startup.
			merge(queuedJobs, runningJobs, requestsInFlight, schedules, storedBytes, weight, Quota.DEFAULT);
		}

		/** These settings, the given quota's where left out. */
		Quota over(Quota defaults) {
			return merge(this.queuedJobs, this.runningJobs, this.requestsInFlight, this.schedules, this.storedBytes,
					this.weight, defaults);
		}

		private static Quota merge(@Nullable Integer queuedJobs, @Nullable Integer runningJobs,
				@Nullable Integer requestsInFlight, @Nullable Integer schedules, @Nullable DataSize storedBytes,
				@Nullable Integer weight, Quota defaults) {
			return new Quota(or(queuedJobs, defaults.queuedJobs()), or(runningJobs, defaults.runningJobs()),
					or(requestsInFlight, defaults.requestsInFlight()), or(schedules, defaults.schedules()),
					(storedBytes != null) ? storedBytes : defaults.storedBytes(), or(weight, defaults.weight()));
		}

		private static int or(@Nullable Integer value, int fallback) {
			return (value != null) ? value : fallback;
		}

	}

}
