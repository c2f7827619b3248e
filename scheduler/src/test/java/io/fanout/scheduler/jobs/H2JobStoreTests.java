package io.fanout.scheduler.jobs;

import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.r2dbc.Dialect;

/**
 * The store contract on embedded H2.
 */
class H2JobStoreTests extends JobStoreContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.h2();
	}

	@Override
	Dialect expectedDialect() {
		return Dialect.H2;
	}

}
