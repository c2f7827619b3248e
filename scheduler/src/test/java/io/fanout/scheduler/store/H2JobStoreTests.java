package io.fanout.scheduler.store;

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
