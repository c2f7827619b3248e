package io.fanout.scheduler.r2dbc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.jobs.NewJob;
import io.fanout.scheduler.schedules.NewSchedule;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.test.TestIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the stores share: a unit of work runs where the embedded driver may run, statements of
 * several stores inside one transaction commit or roll back together, and a unit of work inside
 * another stays on its thread.
 */
class DatabaseTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	@Test
	void aTransactionSpanningBothStoresRollsBackAsAWhole() {
		Instant now = fixture.clock().instant();
		Mono<Object> work = fixture.schedules()
			.insert(new NewSchedule(TestIds.next(now), "alice", schedule(), null, now))
			.then(fixture.jobs().insert(new NewJob(TestIds.next(now), "alice", job(), null, null, now)))
			.then(Mono.error(new IllegalStateException("something after both inserts failed")));
		StepVerifier.create(fixture.db().transactional(work)).expectError(IllegalStateException.class).verify(TIMEOUT);
		assertThat(fixture.jobs().list("alice", JobQuery.all()).block(TIMEOUT).items()).isEmpty();
		assertThat(fixture.schedules().list("alice", ScheduleQuery.first()).block(TIMEOUT).items()).isEmpty();
	}

	@Test
	void theEmbeddedDriverRunsOnItsOwnThreadsAndNestedWorkStaysThere() {
		List<String> threads = new CopyOnWriteArrayList<>();
		Instant now = fixture.clock().instant();
		Mono<Long> work = fixture.jobs()
			.insert(new NewJob(TestIds.next(now), "alice", job(), null, null, now))
			.doOnNext((job) -> threads.add(Thread.currentThread().getName()))
			.then(fixture.jobs().countQueued())
			.doOnNext((count) -> threads.add(Thread.currentThread().getName()));
		List<String> after = new CopyOnWriteArrayList<>();
		StepVerifier.create(fixture.db().transactional(work).doOnNext((count) -> after.add(Thread.currentThread().getName())))
			.expectNext(1L)
			.expectComplete()
			.verify(TIMEOUT);
		assertThat(threads).hasSize(2).allSatisfy((thread) -> assertThat(thread).startsWith("fanout-h2-"));
		assertThat(after).singleElement().satisfies((thread) -> assertThat(thread).startsWith("parallel-"));
	}

	private static JobSpec job() {
		return JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1/r")), FetchPolicy.DEFAULT);
	}

	private static ScheduleSpec schedule() {
		return ScheduleSpec.of("nightly", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)), job());
	}

}
