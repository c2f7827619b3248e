package io.fanout.scheduler.jobs;

import io.fanout.scheduler.support.SchedulerFixture;

/** Delayed jobs and reruns on embedded H2. */
class H2DelayedAndRerunJobsTests extends DelayedAndRerunJobsContractTests {

	@Override
	SchedulerFixture createFixture() {
		return SchedulerFixture.h2();
	}

}
