package io.fanout.scheduler.callbacks;

import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.CallbackProperties;
import io.fanout.scheduler.IllegalJobStateException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.scheduler.worker.JobWorker;
import io.fanout.test.SettableClock;
import io.fanout.test.TestReceiver;
import io.fanout.test.WebhookVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Callbacks end to end on the embedded database: jobs run by a real worker against a loopback
 * receiver, deliveries driven by hand ({@link CallbackWorker#deliverDue()}) while a settable clock
 * moves through backoffs and retry periods.
 */
class CallbackDeliveryTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String OLD_SECRET = secret(1);

	private static final String NEW_SECRET = secret(2);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	private final TestReceiver receiver = new TestReceiver();

	private SettableClock clock;

	private JobWorker jobs;

	private DefaultJobService service;

	private CallbackWorker callbacks;

	private DefaultCallbackService callbackService;

	@BeforeEach
	void start() {
		this.clock = fixture.clock();
		SchedulerProperties properties = TestProperties.fast("result-batch-size", "50");
		this.jobs = fixture.worker(properties, "node-a");
		this.service = fixture.jobService(properties, this.jobs::wakeUp);
		this.jobs.start();
		CallbackProperties settings = new CallbackProperties(true, Duration.ofHours(1), 20, 4, Duration.ofMillis(500),
				Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofSeconds(5),
				Map.of("alice", List.of(OLD_SECRET, NEW_SECRET), "carol", List.of(NEW_SECRET)));
		DeliveryStore store = new DeliveryStore(fixture.db());
		this.callbacks = new CallbackWorker(store, fixture.jobs(), (type, at, job) -> "{\"type\":\"" + type
				+ "\",\"timestamp\":\"" + at + "\",\"data\":{\"id\":\"" + job.id() + "\",\"status\":\"" + job.status()
				+ "\"}}", fixture.fetchClient(), settings, this.clock, "node-a", null);
		this.callbackService = new DefaultCallbackService(fixture.jobs(), store, settings, this.clock);
	}

	@AfterEach
	void stop() throws InterruptedException {
		stop(this.jobs);
		this.receiver.close();
	}

	private static void stop(JobWorker worker) throws InterruptedException {
		CountDownLatch stopped = new CountDownLatch(1);
		worker.stop(stopped::countDown);
		assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aCompletedJobIsReportedOnceSignedWithEverySecretOfItsTenant() throws Exception {
		Job job = finish(submit("alice", callback(this.receiver.url("/hooks"), null)), JobStatus.COMPLETED);

		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).isEqualTo(1);
		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).isZero();

		assertThat(this.receiver.received()).singleElement().satisfies((request) -> {
			assertThat(request.method()).isEqualTo("POST");
			assertThat(request.header("content-type")).startsWith("application/json");
			assertThat(request.body()).contains("\"type\":\"job.completed\"").contains(job.id().toString());
			assertThat(request.header("webhook-id")).startsWith("msg_");
			assertThat(request.header("webhook-timestamp")).isEqualTo(Long.toString(this.clock.instant().getEpochSecond()));
			assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch((s) -> s.startsWith("v1,"));
			assertThat(verifies(OLD_SECRET, request)).as("with the old secret").isTrue();
			assertThat(verifies(NEW_SECRET, request)).as("with the new secret").isTrue();
			assertThat(verifies(secret(3), request)).as("with another secret").isFalse();
		});
		List<CallbackDelivery> deliveries = this.callbackService.deliveries("alice", job.id()).block(TIMEOUT);
		assertThat(deliveries).singleElement().satisfies((delivery) -> {
			assertThat(delivery.type()).isEqualTo("job.completed");
			assertThat(delivery.status()).isEqualTo(CallbackDelivery.Status.DELIVERED);
			assertThat(delivery.attempts()).isEqualTo(1);
			assertThat(delivery.lastStatusCode()).isEqualTo(200);
			assertThat(delivery.deliveredAt()).isNotNull();
			assertThat(delivery.nextAttemptAt()).isNull();
			assertThat(delivery.webhookId()).isEqualTo(this.receiver.received().get(0).header("webhook-id"));
		});
		assertThat(this.callbackService.deliveries("mallory", job.id()).block(TIMEOUT)).isEmpty();
	}

	@Test
	void aTamperedBodyOrAnOldTimestampFailsVerification() throws Exception {
		finish(submit("alice", callback(this.receiver.url("/hooks"), null)), JobStatus.COMPLETED);
		this.callbacks.deliverDue().block(TIMEOUT);
		TestReceiver.Received request = this.receiver.received().get(0);
		String id = request.header("webhook-id");
		String timestamp = request.header("webhook-timestamp");
		String signature = request.header("webhook-signature");
		assertThat(WebhookVerifier.verify(NEW_SECRET, id, timestamp, signature, request.body() + " ",
				this.clock.instant())).as("tampered body").isFalse();
		assertThat(WebhookVerifier.verify(NEW_SECRET, id, timestamp, signature, request.body(),
				this.clock.instant().plusSeconds(301))).as("old timestamp").isFalse();
		assertThat(WebhookVerifier.verify(NEW_SECRET, "msg_other", timestamp, signature, request.body(),
				this.clock.instant())).as("another id").isFalse();
	}

	@Test
	void onlyTheSubscribedEventsAreDelivered() {
		Job completed = finish(submit("alice", callback(this.receiver.url("/failed-only"), EnumSet.of(Callback.Event.FAILED))),
				JobStatus.COMPLETED);
		JobSpec hanging = JobSpec.of(List.of(FetchRequest.get(fixture.upstream().url("/never/cancel"))),
				FetchPolicy.DEFAULT)
			.withCallback(callback(this.receiver.url("/cancelled"), EnumSet.of(Callback.Event.CANCELLED)));
		Job running = this.service.submit("alice", hanging).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> fixture.upstream().hanging() == 1);
		this.service.cancel("alice", running.id()).block(TIMEOUT);
		finish(running, JobStatus.CANCELLED);

		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).isEqualTo(1);
		assertThat(this.receiver.received()).extracting(TestReceiver.Received::path).containsExactly("/cancelled");
		assertThat(this.receiver.received().get(0).body()).contains("job.cancelled");
		assertThat(this.callbackService.deliveries("alice", completed.id()).block(TIMEOUT)).isEmpty();
	}

	@Test
	void aQueuedJobCancelledIsReportedWithItsCancellation() throws InterruptedException {
		stop(this.jobs);
		Job queued = submit("carol", callback(this.receiver.url("/queued"), null));
		Job cancelled = this.service.cancel("carol", queued.id()).block(TIMEOUT);
		assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);

		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).isEqualTo(1);
		assertThat(this.receiver.received()).singleElement().satisfies((request) -> {
			assertThat(request.body()).contains("job.cancelled");
			assertThat(verifies(NEW_SECRET, request)).isTrue();
		});
	}

	@Test
	void aFailingReceiverGetsTheEventAgainUnderTheSameWebhookIdUntilItAccepts() {
		this.receiver.answering(500, 500, 200);
		Job job = finish(submit("alice", callback(this.receiver.url("/flaky"), null)), JobStatus.COMPLETED);

		this.callbacks.deliverDue().block(TIMEOUT);
		CallbackDelivery first = only(job);
		assertThat(first.status()).isEqualTo(CallbackDelivery.Status.PENDING);
		assertThat(first.lastStatusCode()).isEqualTo(500);
		assertThat(first.nextAttemptAt()).isBetween(this.clock.instant(), this.clock.instant().plusSeconds(10));
		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).as("not due before its backoff").isZero();
		this.clock.advance(Duration.ofSeconds(11));
		this.callbacks.deliverDue().block(TIMEOUT);
		assertThat(only(job).attempts()).isEqualTo(2);
		this.clock.advance(Duration.ofSeconds(21));
		this.callbacks.deliverDue().block(TIMEOUT);

		CallbackDelivery delivered = only(job);
		assertThat(delivered.status()).isEqualTo(CallbackDelivery.Status.DELIVERED);
		assertThat(delivered.attempts()).isEqualTo(3);
		List<TestReceiver.Received> received = this.receiver.received();
		assertThat(received).hasSize(3);
		assertThat(received).extracting((request) -> request.header("webhook-id")).containsOnly(first.webhookId());
		assertThat(received).extracting(TestReceiver.Received::body).containsOnly(received.get(0).body());
		assertThat(received).extracting((request) -> request.header("webhook-timestamp")).doesNotHaveDuplicates();
	}

	@Test
	void aReceiverThatNeverAnswersFailsTheDeliveryAfterTheRetryPeriodAndItCanBeRedelivered() {
		this.receiver.answeringByDefault(0);
		Job job = finish(submit("alice", callback(this.receiver.url("/silent"), null)), JobStatus.COMPLETED);
		for (int i = 0; i < 40 && only(job).status() == CallbackDelivery.Status.PENDING; i++) {
			this.callbacks.deliverDue().block(TIMEOUT);
			this.clock.advance(Duration.ofMinutes(5));
		}
		CallbackDelivery failed = only(job);
		assertThat(failed.status()).isEqualTo(CallbackDelivery.Status.FAILED);
		assertThat(failed.attempts()).isGreaterThan(1);
		assertThat(failed.lastError()).contains("TIMED_OUT");
		assertThat(failed.lastAttemptAt()).isAfterOrEqualTo(failed.firstAttemptAt().plus(Duration.ofMinutes(30)));

		this.receiver.answeringByDefault(200);
		CallbackDelivery requeued = this.callbackService.redeliver("alice", job.id(), null).block(TIMEOUT);
		assertThat(requeued.status()).isEqualTo(CallbackDelivery.Status.PENDING);
		assertThat(requeued.id()).isEqualTo(failed.id());
		this.callbacks.deliverDue().block(TIMEOUT);
		assertThat(only(job).status()).isEqualTo(CallbackDelivery.Status.DELIVERED);
		assertThat(this.receiver.received()).extracting((request) -> request.header("webhook-id"))
			.containsOnly(failed.webhookId());
	}

	@Test
	void redeliveryIsRefusedWithoutACallbackOrADeliveryAndForAnotherTenant() {
		Job plain = finish(this.service.submit("alice", spec(null)).block(TIMEOUT), JobStatus.COMPLETED);
		assertThatThrownBy(() -> this.callbackService.redeliver("alice", plain.id(), null).block(TIMEOUT))
			.isInstanceOf(IllegalJobStateException.class)
			.hasMessageContaining("no callback");
		Job reported = finish(submit("alice", callback(this.receiver.url("/hooks"), null)), JobStatus.COMPLETED);
		assertThatThrownBy(() -> this.callbackService.redeliver("bob", reported.id(), null).block(TIMEOUT))
			.isInstanceOf(JobNotFoundException.class);
		assertThatThrownBy(() -> this.callbackService.checkSigning("bob", spec(callback(this.receiver.url("/"), null))))
			.isInstanceOf(InvalidJobSpecException.class)
			.hasMessageContaining("fanout.callbacks.secrets.[bob]");
	}

	@Test
	void aCallbackToABlockedAddressFailsBeforeAnyConnection() {
		try (TestReceiver elsewhere = new TestReceiver("127.0.0.2")) {
			Job job = finish(submit("alice", callback(elsewhere.url("/internal"), null)), JobStatus.COMPLETED);
			this.callbacks.deliverDue().block(TIMEOUT);
			CallbackDelivery failed = only(job);
			assertThat(failed.status()).isEqualTo(CallbackDelivery.Status.FAILED);
			assertThat(failed.attempts()).isEqualTo(1);
			assertThat(failed.lastError()).contains("BLOCKED");
			assertThat(elsewhere.connections()).isZero();
		}
	}

	@Test
	void progressEventsComeEveryNResults() {
		List<FetchRequest> requests = IntStream.range(0, 250)
			.mapToObj((i) -> FetchRequest.get(fixture.upstream().url("/ok/progress/" + i)))
			.toList();
		JobSpec spec = JobSpec.of(requests, FetchPolicy.DEFAULT.withConcurrency(50))
			.withCallback(new Callback(URI.create(this.receiver.url("/progress")), EnumSet.of(Callback.Event.COMPLETED),
					100, Map.of("Authorization", "Bearer receiver-token")));
		Job job = finish(this.service.submit("alice", spec).block(TIMEOUT), JobStatus.COMPLETED);
		assertThat(this.callbacks.deliverDue().block(TIMEOUT)).isEqualTo(3);
		assertThat(this.receiver.received()).extracting((request) -> request.body().substring(0, 25))
			.containsExactlyInAnyOrder("{\"type\":\"job.progress\",\"t", "{\"type\":\"job.progress\",\"t",
					"{\"type\":\"job.completed\",\"");
		assertThat(this.receiver.received()).extracting((request) -> request.header("authorization"))
			.containsOnly("Bearer receiver-token");
		assertThat(fixture.database().queryForLong("SELECT COUNT(*) FROM callback_deliveries WHERE job_id = '"
				+ job.id() + "' AND event = 'job.progress'")).isEqualTo(2);
	}

	private Job submit(String owner, Callback callback) {
		return this.service.submit(owner, spec(callback)).block(TIMEOUT);
	}

	private static JobSpec spec(Callback callback) {
		return JobSpec.of(List.of(FetchRequest.get(fixture.upstream().url("/ok/callback"))), FetchPolicy.DEFAULT)
			.withCallback(callback);
	}

	private static Callback callback(String url, Set<Callback.Event> events) {
		return new Callback(URI.create(url), events, null, Map.of());
	}

	private Job finish(Job job, JobStatus status) {
		await().atMost(TIMEOUT).until(() -> this.service.get(job.owner(), job.id()).block(TIMEOUT).status() == status);
		return this.service.get(job.owner(), job.id()).block(TIMEOUT);
	}

	private CallbackDelivery only(Job job) {
		List<CallbackDelivery> deliveries = this.callbackService.deliveries(job.owner(), job.id()).block(TIMEOUT);
		assertThat(deliveries).hasSize(1);
		return deliveries.get(0);
	}

	private boolean verifies(String secret, TestReceiver.Received request) throws Exception {
		return WebhookVerifier.verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
				request.header("webhook-signature"), request.body(), this.clock.instant());
	}

	private static String secret(int seed) {
		byte[] bytes = new byte[32];
		java.util.Arrays.fill(bytes, (byte) seed);
		return "whsec_" + Base64.getEncoder().encodeToString(bytes);
	}

}
