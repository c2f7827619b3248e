package io.fanout.scheduler.jobs;

import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.test.RequiresPostgres;

/**
 * The store contract on PostgreSQL, in a schema of its own. Skipped without a local PostgreSQL,
 * except in CI ({@code FANOUT_REQUIRE_POSTGRES=true}) where that fails.
 */
@RequiresPostgres
class PostgresJobStoreTests extends JobStoreContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.postgres();
	}

	@Override
	Dialect expectedDialect() {
		return Dialect.POSTGRESQL;
	}

}
