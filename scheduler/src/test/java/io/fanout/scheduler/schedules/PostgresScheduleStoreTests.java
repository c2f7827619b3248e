package io.fanout.scheduler.schedules;

import io.fanout.test.RequiresPostgres;
import io.fanout.test.TestDatabase;

/**
 * The schedule store contract on PostgreSQL, in a schema of its own. Skipped without a local
 * PostgreSQL, except in CI ({@code FANOUT_REQUIRE_POSTGRES=true}) where that fails.
 */
@RequiresPostgres
class PostgresScheduleStoreTests extends ScheduleStoreContractTests {

	@Override
	TestDatabase createDatabase() {
		return TestDatabase.postgres();
	}

}
