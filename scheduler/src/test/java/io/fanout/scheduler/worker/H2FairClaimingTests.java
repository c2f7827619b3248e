package io.fanout.scheduler.worker;

import io.fanout.test.TestDatabase;

/** Fair claiming on the embedded database: one instance. */
class H2FairClaimingTests extends FairClaimingContractTests {

	@Override
	TestDatabase database() {
		return TestDatabase.h2();
	}

	@Override
	int instances() {
		return 1;
	}

}
