package io.fanout.scheduler.jobs;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large job's fingerprint and encoding (seconds of CPU at a million requests) never run on the
 * thread that subscribes, which may be an event loop; a small job's stay there, where a hop would
 * cost more than the work.
 */
class LargeJobsOffTheCallerTests {

	private final Scheduler caller = Schedulers.newSingle("caller");

	@AfterEach
	void dispose() {
		this.caller.dispose();
	}

	@Test
	void aLargeJobsWorkRunsOffTheSubscribingThread() {
		assertThat(threadOf(R2dbcJobRepository.LARGE_JOB + 1)).startsWith("boundedElastic-");
	}

	@Test
	void aSmallJobsWorkStaysOnIt() {
		assertThat(threadOf(R2dbcJobRepository.LARGE_JOB)).startsWith("caller-");
		assertThat(threadOf(1)).startsWith("caller-");
	}

	private String threadOf(int requests) {
		return R2dbcJobRepository.offTheCallerIfLarge(requests, () -> Thread.currentThread().getName())
			.subscribeOn(this.caller)
			.block(Duration.ofSeconds(10));
	}

}
