package io.fanout.scheduler.schedules;

import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.test.RequiresPostgres;

/**
 * The schedule store contract on PostgreSQL, in a schema of its own. Skipped without a local
 * PostgreSQL, except in CI ({@code FANOUT_REQUIRE_POSTGRES=true}) where that fails.
 */
@RequiresPostgres
class PostgresScheduleStoreTests extends ScheduleStoreContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.postgres();
	}

}
