package io.fanout.scheduler.jobs;

import java.time.Duration;
import java.util.UUID;

import io.fanout.scheduler.r2dbc.Database;
import io.fanout.test.TestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V16 settles the jobs an earlier version finished: each tenant's row holds their bytes, and the
 * stored bytes it reads are what the sum over all its jobs was before.
 */
class SettledStoredBytesMigrationTests {

	@Test
	void onH2() {
		try (TestDatabase database = TestDatabase.h2("15")) {
			migratesJobsStoredByTheVersionBefore(database);
		}
	}

	@Test
	void onPostgres() {
		try (TestDatabase database = TestDatabase.postgres("15")) {
			migratesJobsStoredByTheVersionBefore(database);
		}
	}

	private void migratesJobsStoredByTheVersionBefore(TestDatabase database) {
		insertJob(database, "alice", "COMPLETED", 100);
		insertJob(database, "alice", "FAILED", 20);
		insertJob(database, "alice", "RUNNING", 7);
		insertJob(database, "bob", "QUEUED", 0);
		insertJob(database, "carol", "CANCELLED", 5);

		database.migrate();

		assertThat(database.queryForStrings("SELECT owner || '=' || settled_bytes FROM tenant_usage ORDER BY owner"))
			.containsExactly("alice=120", "bob=0", "carol=5");
		assertThat(database.queryForStrings("SELECT status FROM jobs WHERE settled ORDER BY status"))
			.containsExactly("CANCELLED", "COMPLETED", "FAILED");
		try (Database db = new Database(database.connectionFactory())) {
			R2dbcJobRepository jobs = new R2dbcJobRepository(db);
			Duration timeout = Duration.ofSeconds(10);
			assertThat(jobs.usage("alice").block(timeout)).isEqualTo(new TenantUsage(0, 1, 127));
			assertThat(jobs.usage("bob").block(timeout)).isEqualTo(new TenantUsage(1, 0, 0));
			assertThat(jobs.usage("carol").block(timeout)).isEqualTo(new TenantUsage(0, 0, 5));
		}
	}

	/** A job as version 15 stores it, with the bytes its results stored. */
	private static void insertJob(TestDatabase database, String owner, String status, long storedBytes) {
		database.execute("INSERT INTO jobs (id, owner, labels, priority, status, attempt, cancel_requested, created_at, "
				+ "fail_fast, total, succeeded, http_error, timed_out, connection_error, circuit_open, rejected, blocked, "
				+ "body_too_large, cancelled, spec_hash, stored_bytes) VALUES ('" + UUID.randomUUID() + "', '" + owner
				+ "', '{}', 0, '" + status + "', 1, FALSE, TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00+00', FALSE, 1, "
				+ "0, 0, 0, 0, 0, 0, 0, 0, 0, 'hash', " + storedBytes + ")");
	}

}
