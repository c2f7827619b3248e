package io.fanout.scheduler.jobs;

import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.test.RequiresPostgres;

/**
 * Delayed jobs and reruns on PostgreSQL, whose claim is a statement of its own. Skipped without a
 * local PostgreSQL, except in CI ({@code FANOUT_REQUIRE_POSTGRES=true}) where that fails.
 */
@RequiresPostgres
class PostgresDelayedAndRerunJobsTests extends DelayedAndRerunJobsContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.postgres();
	}

}
