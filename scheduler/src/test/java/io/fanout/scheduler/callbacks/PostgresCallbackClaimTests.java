package io.fanout.scheduler.callbacks;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackProperties;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.scheduler.worker.JobWorker;
import io.fanout.test.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two delivery workers, as two replicas, claiming from one PostgreSQL outbox at the same time: each
 * event is delivered once, by one of them.
 */
class PostgresCallbackClaimTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final int JOBS = 30;

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.postgres();

	@Test
	void eachEventIsDeliveredByOneReplicaOnce() throws InterruptedException {
		try (TestReceiver receiver = new TestReceiver()) {
			SchedulerProperties properties = TestProperties.fast();
			JobWorker jobs = fixture.worker(properties, "node-a");
			DefaultJobService service = fixture.jobService(properties, jobs::wakeUp);
			jobs.start();
			List<Job> submitted = IntStream.range(0, JOBS)
				.mapToObj((i) -> service.submit("alice", JobSpec
					.of(List.of(FetchRequest.get(fixture.upstream().url("/ok/pg/" + i))), FetchPolicy.DEFAULT)
					.withCallback(new Callback(URI.create(receiver.url("/pg")), null, null, Map.of())))
					.block(TIMEOUT))
				.toList();
			await().atMost(TIMEOUT)
				.until(() -> submitted.stream()
					.allMatch((job) -> service.get("alice", job.id()).block(TIMEOUT).status() == JobStatus.COMPLETED));
			CountDownLatch stopped = new CountDownLatch(1);
			jobs.stop(stopped::countDown);
			assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();

			CallbackProperties settings = new CallbackProperties(true, Duration.ofHours(1), 7, 8, Duration.ofSeconds(2),
					Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofSeconds(30),
					Map.of("alice", List.of("whsec_" + Base64.getEncoder().encodeToString(new byte[32]))));
			CallbackWorker a = worker(settings, "node-a");
			CallbackWorker b = worker(settings, "node-b");
			for (int round = 0; round < 10 && receiver.received().size() < JOBS; round++) {
				Flux.merge(a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()).blockLast(TIMEOUT);
			}

			assertThat(receiver.received()).hasSize(JOBS);
			assertThat(receiver.received()).extracting((request) -> request.header("webhook-id")).doesNotHaveDuplicates();
			assertThat(fixture.database().queryForLong(
					"SELECT COUNT(*) FROM callback_deliveries WHERE status = 'DELIVERED' AND attempts = 1"))
				.isEqualTo(JOBS);
		}
	}

	private static CallbackWorker worker(CallbackProperties settings, String node) {
		return new CallbackWorker(new DeliveryStore(fixture.db()), fixture.jobs(), (type, at, job) -> "{\"type\":\""
				+ type + "\",\"id\":\"" + job.id() + "\"}", fixture.fetchClient(), settings, fixture.clock(), node, null);
	}

}
