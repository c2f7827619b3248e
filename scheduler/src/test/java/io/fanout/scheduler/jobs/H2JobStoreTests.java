package io.fanout.scheduler.jobs;

import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.test.TestDatabase;

/**
 * The store contract on embedded H2.
 */
class H2JobStoreTests extends JobStoreContractTests {

	@Override
	TestDatabase createDatabase() {
		return TestDatabase.h2();
	}

	@Override
	Dialect expectedDialect() {
		return Dialect.H2;
	}

}
