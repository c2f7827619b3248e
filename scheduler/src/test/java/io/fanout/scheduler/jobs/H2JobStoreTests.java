package io.fanout.scheduler.jobs;

import java.util.List;
import java.util.UUID;

import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.scheduler.support.SchedulerFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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

	/**
	 * A page reads the job's index in order and stops after its rows: H2 says "index sorted". Ordered
	 * by idx or seq alone, it read and sorted every row of the job past the cursor for each page.
	 */
	@Test
	void resultPagesReadTheJobsIndexInOrderRatherThanSortingEveryRow() {
		String job = "'" + UUID.randomUUID() + "'";
		for (String order : List.of("idx", "seq")) {
			for (boolean withBodies : List.of(false, true)) {
				String page = JobSql.resultPage("job_id = " + job + " AND " + order + " >= 0", order, 1001, withBodies)
					.replace(":budget", "4000000");
				assertThat(String.join("\n", this.database.queryForStrings("EXPLAIN " + page)))
					.as("plan of a page by %s", order)
					.contains("/* index sorted */");
			}
		}
	}

	/** A tenant's usage reads its unsettled jobs by their index, not every job it keeps. */
	@Test
	void usageReadsOnlyTheTenantsUnsettledJobs() {
		String usage = TenantBytes.USAGE.replace(":queued", "'QUEUED'")
			.replace(":running", "'RUNNING'")
			.replace(":owner", "'alice'");
		assertThat(String.join("\n", this.database.queryForStrings("EXPLAIN " + usage)))
			.containsIgnoringCase("jobs_owner_settled_idx");
	}

}
