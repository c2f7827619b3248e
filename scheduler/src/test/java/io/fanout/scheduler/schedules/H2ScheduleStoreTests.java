package io.fanout.scheduler.schedules;

import io.fanout.scheduler.support.SchedulerFixture;

/**
 * The schedule store contract on embedded H2.
 */
class H2ScheduleStoreTests extends ScheduleStoreContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.h2();
	}

}
