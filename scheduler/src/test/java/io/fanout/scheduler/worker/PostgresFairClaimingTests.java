package io.fanout.scheduler.worker;

import io.fanout.test.RequiresPostgres;
import io.fanout.test.TestDatabase;

/**
 * Fair claiming on PostgreSQL across two instances. Skipped without a local PostgreSQL, except in
 * CI where that fails.
 */
@RequiresPostgres
class PostgresFairClaimingTests extends FairClaimingContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.postgres();
	}

	@Override
	int instances() {
		return 2;
	}

}
