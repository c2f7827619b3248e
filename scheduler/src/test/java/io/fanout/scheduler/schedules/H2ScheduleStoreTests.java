package io.fanout.scheduler.schedules;

import io.fanout.test.TestDatabase;

/**
 * The schedule store contract on embedded H2.
 */
class H2ScheduleStoreTests extends ScheduleStoreContractTests {

	@Override
	TestDatabase createDatabase() {
		return TestDatabase.h2();
	}

}
