package io.fanout.scheduler.jobs;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultStreamQuery;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.StreamedResult;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live streams of results: fed by the local worker's writes while the job runs here, polling the
 * store with a backoff otherwise, and catching up from the store when a client falls behind.
 */
class ResultStreamTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	@Test
	void pollingBacksOffWhileNothingChangesAndFallsBackOnNewResults() {
		SchedulerProperties properties = TestProperties.fast("stream-poll-interval", "250ms",
				"stream-poll-max-interval", "4s");
		Job running = runningJob(spec(3));
		AtomicReference<List<JobResult>> next = new AtomicReference<>(List.of());
		JobRepository store = repository((method, args) -> switch (method.getName()) {
			case "find" -> Mono.just(running);
			case "resultsInStoredOrder" -> Mono.just(new JobRepository.StoredResults(next.getAndSet(List.of()), false));
			default -> throw new UnsupportedOperationException(method.getName());
		});
		DefaultJobService service = new DefaultJobService(store, fixture.jobSpecs(properties),
				fixture.queueLimit(properties), properties, new ResultFeed(), fixture.clock(), () -> {
				});

		StepVerifier.withVirtualTime(() -> service.streamResults("alice", running.id(), ResultStreamQuery.all()))
			.expectSubscription()
			.then(() -> assertThat(reads()).isEqualTo(1))
			// Waits of 250 ms, 500 ms, 1 s, 2 s, then 4 s at most: reads at 0.25, 0.75, 1.75, 3.75, 7.75, 11.75 s.
			.thenAwait(Duration.ofMillis(11_700))
			.then(() -> assertThat(reads()).isEqualTo(6))
			.thenAwait(Duration.ofMillis(100))
			.then(() -> assertThat(reads()).isEqualTo(7))
			.then(() -> next.set(List.of(result(running.id(), 0))))
			.thenAwait(Duration.ofSeconds(4))
			.assertNext((streamed) -> assertThat(streamed.position()).isEqualTo(1))
			.then(() -> assertThat(reads()).isEqualTo(8))
			// New results: the next look comes after the first wait again.
			.thenAwait(Duration.ofMillis(250))
			.then(() -> assertThat(reads()).isEqualTo(9))
			.thenCancel()
			.verify(TIMEOUT);
	}

	@Test
	void aJobRunningHereIsStreamedFromItsWorkersWritesWithoutPollingTheStore() {
		SchedulerProperties properties = TestProperties.fast();
		JobSpec spec = spec(6);
		DefaultJobService service = countingService(properties);
		Job job = service.submit("alice", spec).block(TIMEOUT);
		ClaimedJob claimed = claim();
		ResultFeed feed = fixture.feed();
		feed.open(job.id());
		try {
			append(claimed, 4);
			StepVerifier.create(service.streamResults("alice", job.id(), new ResultStreamQuery(0, true)))
				.assertNext((streamed) -> {
					assertThat(streamed.position()).isEqualTo(1);
					assertThat(streamed.result().index()).isEqualTo(4);
					assertThat(streamed.result().body()).isEqualTo("ok 4");
				})
				.then(() -> append(claimed, 1, 2))
				.assertNext((streamed) -> assertThat(streamed.position()).isEqualTo(2))
				.assertNext((streamed) -> assertThat(streamed.result().index()).isEqualTo(2))
				.then(() -> append(claimed, 0))
				.assertNext((streamed) -> assertThat(streamed.result().index()).isEqualTo(0))
				// Several times the poll interval: a polling stream would have read again and again.
				.thenAwait(Duration.ofMillis(500))
				.then(() -> assertThat(reads()).as("reads of the store while fed").isEqualTo(1))
				.then(() -> {
					finish(claimed, JobStatus.CANCELLED);
					feed.close(job.id());
				})
				// The run ended here: what it wrote last (requests 3 and 5 cancelled) comes from the store.
				.assertNext((streamed) -> assertThat(streamed.position()).isEqualTo(5))
				.assertNext((streamed) -> assertThat(streamed.position()).isEqualTo(6))
				.expectComplete()
				.verify(TIMEOUT);
		}
		finally {
			feed.close(job.id());
		}
	}

	@Test
	void aClientThatFallsBehindTheFeedCatchesUpFromTheStoreWithoutLossOrRepeats() {
		// A follower holds about 2 KB, six results without bodies, before it is dropped from the feed.
		SchedulerProperties properties = TestProperties.fast("max-page-bytes", "2KB");
		DefaultJobService service = countingService(properties);
		Job job = service.submit("alice", spec(20)).block(TIMEOUT);
		ClaimedJob claimed = claim();
		ResultFeed feed = fixture.feed();
		feed.open(job.id());
		try {
			StepVerifier.create(service.streamResults("alice", job.id(), ResultStreamQuery.all()), 0)
				.expectSubscription()
				.then(() -> {
					for (int from = 0; from < 20; from += 5) {
						append(claimed, IntStream.range(from, from + 5).toArray());
					}
				})
				.then(() -> assertThat(feed.followers(job.id())).as("followers once it fell behind").isZero())
				.thenRequest(Long.MAX_VALUE)
				.recordWith(ArrayList::new)
				.expectNextCount(20)
				.consumeRecordedWith((streamed) -> {
					assertThat(streamed).extracting(StreamedResult::position)
						.containsExactlyElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());
					assertThat(streamed).extracting((s) -> s.result().index())
						.containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
					assertThat(streamed).allSatisfy((s) -> assertThat(s.result().body()).isNull());
				})
				.then(() -> {
					finish(claimed, JobStatus.COMPLETED);
					feed.close(job.id());
				})
				.expectComplete()
				.verify(TIMEOUT);
		}
		finally {
			feed.close(job.id());
		}
	}

	@Test
	void aStreamResumedAfterAPositionStartsRightAfterIt() {
		SchedulerProperties properties = TestProperties.fast();
		DefaultJobService service = countingService(properties);
		Job job = service.submit("alice", spec(4)).block(TIMEOUT);
		ClaimedJob claimed = claim();
		append(claimed, 3, 0, 2);
		finish(claimed, JobStatus.COMPLETED);
		StepVerifier.create(service.streamResults("alice", job.id(), new ResultStreamQuery(2, false))
			.map((s) -> s.position() + ":" + s.result().index()))
			.expectNext("3:2", "4:1")
			.expectComplete()
			.verify(TIMEOUT);
	}

	private int reads() {
		return this.calls.computeIfAbsent("resultsInStoredOrder", (name) -> new AtomicInteger()).get();
	}

	private DefaultJobService countingService(SchedulerProperties properties) {
		JobRepository real = fixture.jobs();
		JobRepository counting = repository((method, args) -> {
			try {
				return method.invoke(real, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		});
		return new DefaultJobService(counting, fixture.jobSpecs(properties), fixture.queueLimit(properties),
				properties, fixture.feed(), fixture.clock(), () -> {
				});
	}

	private interface Call {

		Object answer(Method method, Object[] args) throws Throwable;

	}

	private JobRepository repository(Call call) {
		return (JobRepository) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { JobRepository.class },
				(proxy, method, args) -> {
					Object[] arguments = (args != null) ? args : new Object[0];
					this.calls.computeIfAbsent(method.getName(), (name) -> new AtomicInteger()).incrementAndGet();
					if (method.getDeclaringClass() == Object.class) {
						return method.invoke(this, arguments);
					}
					return call.answer(method, arguments);
				});
	}

	private Job runningJob(JobSpec spec) {
		Job job = fixture.jobService(TestProperties.fast(), () -> {
		}).submit("alice", spec).block(TIMEOUT);
		claim();
		return fixture.jobs().find("alice", job.id()).block(TIMEOUT);
	}

	private ClaimedJob claim() {
		Instant now = fixture.clock().instant();
		return fixture.queue().claim("node-a", 1, now, now.plusSeconds(30)).blockFirst(TIMEOUT);
	}

	private void append(ClaimedJob claimed, int... indexes) {
		List<JobResult> results = IntStream.of(indexes).mapToObj((i) -> result(claimed.job().id(), i)).toList();
		fixture.queue().appendResults(claimed.fence(), results).block(TIMEOUT);
	}

	private void finish(ClaimedJob claimed, JobStatus status) {
		fixture.queue()
			.finish(claimed.fence(), status, null, claimed.spec().requests(), fixture.clock().instant(), "test")
			.block(TIMEOUT);
	}

	private static JobResult result(UUID jobId, int index) {
		return new JobResult(jobId, index, "GET", URI.create("http://127.0.0.1:1/r/" + index), OutcomeKind.SUCCEEDED,
				200, 1, Instant.parse("2030-01-01T00:00:00Z"), Duration.ofMillis(3), "ok " + index, 4, Map.of(), null);
	}

	private static JobSpec spec(int requests) {
		return JobSpec.of(IntStream.range(0, requests)
			.mapToObj((i) -> FetchRequest.get("http://127.0.0.1:1/r/" + i))
			.toList(), FetchPolicy.DEFAULT);
	}

}
