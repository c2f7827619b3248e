package io.fanout.scheduler.quotas;

import io.fanout.scheduler.LimitsService;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.TenantLimits;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.schedules.ScheduleStore;
import reactor.core.publisher.Mono;

/** The {@link LimitsService} over the job repository and the schedule store. */
public final class DefaultLimitsService implements LimitsService {

	private final JobRepository jobs;

	private final ScheduleStore schedules;

	private final QuotaProperties quotas;

	public DefaultLimitsService(JobRepository jobs, ScheduleStore schedules, QuotaProperties quotas) {
		this.jobs = jobs;
		this.schedules = schedules;
		this.quotas = quotas;
	}

	@Override
	public Mono<TenantLimits> limits(String owner) {
		return Mono.zip(this.jobs.usage(owner), this.schedules.count(owner))
			.map((usage) -> new TenantLimits(owner, this.quotas.of(owner), usage.getT1().queuedJobs(),
					usage.getT1().runningJobs(), usage.getT2(), usage.getT1().storedBytes()));
	}

}
