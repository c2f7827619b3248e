package io.fanout.api.jobs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.fanout.api.support.ApiSliceTest;
import io.fanout.api.support.TestJobs;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobProgress;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.ResultStreamQuery;
import io.fanout.scheduler.StreamedResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;

/**
 * The jobs resource mapped to the {@link JobService}: what each operation asks the scheduler and
 * what it answers.
 */
@ApiSliceTest
class JobControllerTests {

	private static final UUID ID = UUID.fromString("019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31");

	@Autowired
	private WebTestClient client;

	@MockitoBean
	private JobService jobs;

	@BeforeEach
	void noReruns() {
		given(this.jobs.reruns(any(), any())).willReturn(Mono.just(List.of()));
	}

	@Test
	void submitQueuesTheSpecAndAnswersAcceptedWithTheJobsLocation() {
		given(this.jobs.submit(eq("tenant-a"), any(), isNull(), isNull(), isNull()))
			.willAnswer((invocation) -> Mono.just(TestJobs.queued(ID, invocation.getArgument(1))));

		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"name": "weather", "labels": {"team": "weather"}, "priority": 7,
					 "requests": [
					   {"url": "http://upstream.test/paris", "extract": {"temperature": "$.current_condition.tmp"}},
					   {"url": "http://upstream.test/submit", "method": "post", "headers": {"X-Trace": "1"},
					    "body": "{}", "extract": {"title": "h1"}}],
					 "concurrency": 5, "timeout": "PT3S", "deadline": "PT1M", "retry": {"maxAttempts": 2},
					 "failFast": true, "followRedirects": true, "maxBodySize": 2048}""")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.location("/api/v1/jobs/" + ID)
			.expectBody()
			.jsonPath("$.id").isEqualTo(ID.toString())
			.jsonPath("$.name").isEqualTo("weather")
			.jsonPath("$.status").isEqualTo("QUEUED")
			.jsonPath("$.progress.total").isEqualTo(2)
			.jsonPath("$.progress.pending").isEqualTo(2)
			.jsonPath("$.progress.counts.SUCCEEDED").isEqualTo(0)
			.jsonPath("$.labels.team").isEqualTo("weather")
			.jsonPath("$.priority").isEqualTo(7)
			.jsonPath("$.deadline").isEqualTo("PT1M")
			.jsonPath("$.links.self").isEqualTo("/api/v1/jobs/" + ID)
			.jsonPath("$.links.results").isEqualTo("/api/v1/jobs/" + ID + "/results")
			.jsonPath("$.links.cancel").isEqualTo("/api/v1/jobs/" + ID + "/cancel");

		JobSpec spec = submittedSpec();
		assertThat(spec.name()).isEqualTo("weather");
		assertThat(spec.labels()).containsExactly(Map.entry("team", "weather"));
		assertThat(spec.priority()).isEqualTo(7);
		assertThat(spec.deadline()).isEqualTo(Duration.ofMinutes(1));
		assertThat(spec.requests()).hasSize(2);
		FetchRequest second = spec.requests().get(1);
		assertThat(second.method()).isEqualTo("POST");
		assertThat(second.headers()).containsExactly(Map.entry("X-Trace", "1"));
		assertThat(second.body()).isEqualTo("{}");
		assertThat(second.extract()).containsExactly(Map.entry("title", "h1"));
		FetchPolicy policy = spec.policy();
		assertThat(policy.concurrency()).isEqualTo(5);
		assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(policy.retry().maxAttempts()).isEqualTo(2);
		assertThat(policy.retry().initialBackoff()).isEqualTo(Duration.ofMillis(200));
		assertThat(policy.failFast()).isTrue();
		assertThat(policy.followRedirects()).isTrue();
		assertThat(policy.maxBodySize()).isEqualTo(2048);
	}

	@Test
	void submitFillsWhatTheSubmissionLeavesOutFromTheDefaultPolicy() {
		given(this.jobs.submit(eq("tenant-a"), any(), isNull(), isNull(), isNull()))
			.willAnswer((invocation) -> Mono.just(TestJobs.queued(ID, invocation.getArgument(1))));

		submit("{\"requests\": [{\"url\": \"http://upstream.test/\"}]}").expectStatus().isAccepted();

		JobSpec spec = submittedSpec();
		assertThat(spec.requests().get(0).method()).isEqualTo("GET");
		assertThat(spec.priority()).isZero();
		assertThat(spec.deadline()).isNull();
		FetchPolicy policy = spec.policy();
		assertThat(policy.concurrency()).isEqualTo(10);
		assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(policy.retry().maxAttempts()).isEqualTo(3);
		assertThat(policy.maxBodySize()).isEqualTo(1024 * 1024);
		assertThat(policy.failFast()).isFalse();
		assertThat(policy.followRedirects()).isFalse();
	}

	@Test
	void submitPassesTheIdempotencyKey() {
		given(this.jobs.submit(eq("tenant-b"), any(), eq("retry-safe-1"), isNull(), isNull()))
			.willAnswer((invocation) -> Mono.just(TestJobs.queued(ID, invocation.getArgument(1))));

		this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_B)
			.header("Idempotency-Key", "retry-safe-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requests\": [{\"url\": \"http://upstream.test/\"}]}")
			.exchange()
			.expectStatus()
			.isAccepted();
	}

	@Test
	void requestHeadersAreNeverReturned() {
		given(this.jobs.submit(eq("tenant-a"), any(), isNull(), isNull(), isNull()))
			.willAnswer((invocation) -> Mono.just(TestJobs.queued(ID, invocation.getArgument(1))));

		String body = submit("""
				{"requests": [{"url": "http://upstream.test/", "headers": {"Authorization": "Bearer s3cret-token"},
				 "body": "password=s3cret-body"}]}""")
			.expectStatus()
			.isAccepted()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();

		assertThat(body).doesNotContain("s3cret");
		assertThat(submittedSpec().requests().get(0).headers()).containsEntry("Authorization", "Bearer s3cret-token");
		assertThat(new JobSubmission.Request("http://upstream.test/", null, Map.of("Authorization", "s3cret"), "s3cret",
				null, null, null)
			.toString()).doesNotContain("s3cret");
	}

	@Test
	void getAnswersTheJobWithItsProgressAndError() {
		JobProgress progress = new JobProgress(3, Map.of(OutcomeKind.SUCCEEDED, 1, OutcomeKind.TIMED_OUT, 1));
		given(this.jobs.get("tenant-a", ID)).willReturn(Mono.just(TestJobs.job(ID, JobStatus.FAILED, progress,
				new JobError(JobError.Kind.DEADLINE_EXCEEDED, "the deadline passed"))));

		get("/api/v1/jobs/" + ID).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("FAILED")
			.jsonPath("$.progress.total").isEqualTo(3)
			.jsonPath("$.progress.done").isEqualTo(2)
			.jsonPath("$.progress.pending").isEqualTo(1)
			.jsonPath("$.progress.counts.SUCCEEDED").isEqualTo(1)
			.jsonPath("$.progress.counts.TIMED_OUT").isEqualTo(1)
			.jsonPath("$.progress.counts.CANCELLED").isEqualTo(0)
			.jsonPath("$.error.kind").isEqualTo("DEADLINE_EXCEEDED")
			.jsonPath("$.error.message").isEqualTo("the deadline passed")
			.jsonPath("$.createdAt").isEqualTo("2026-11-21T08:00:00Z")
			.jsonPath("$.finishedAt").isEqualTo("2026-11-21T08:00:02Z")
			.jsonPath("$.owner").doesNotExist()
			.jsonPath("$.leaseOwner").doesNotExist();
	}

	@Test
	void listPassesTheFiltersAndLinksTheNextPage() {
		UUID scheduleId = UUID.randomUUID();
		UUID next = UUID.randomUUID();
		given(this.jobs.list(eq("tenant-a"), any())).willReturn(Mono.just(new JobPage(
				List.of(TestJobs.job(ID, JobStatus.RUNNING, JobProgress.none(1), null)), next)));

		get("/api/v1/jobs?status=RUNNING,QUEUED&label=team:weather&label=env:prod&scheduleId=" + scheduleId
				+ "&limit=1")
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].id").isEqualTo(ID.toString())
			.jsonPath("$.nextCursor").isEqualTo(next.toString())
			.jsonPath("$.links.self").isEqualTo("/api/v1/jobs?status=RUNNING,QUEUED&label=team:weather"
					+ "&label=env:prod&scheduleId=" + scheduleId + "&limit=1")
			.jsonPath("$.links.next").isEqualTo("/api/v1/jobs?status=RUNNING,QUEUED&label=team:weather"
					+ "&label=env:prod&scheduleId=" + scheduleId + "&limit=1&cursor=" + next);

		ArgumentCaptor<JobQuery> query = ArgumentCaptor.forClass(JobQuery.class);
		verify(this.jobs).list(eq("tenant-a"), query.capture());
		assertThat(query.getValue().statuses()).containsExactlyInAnyOrder(JobStatus.RUNNING, JobStatus.QUEUED);
		assertThat(query.getValue().labels()).containsExactly(Map.entry("team", "weather"), Map.entry("env", "prod"));
		assertThat(query.getValue().scheduleId()).isEqualTo(scheduleId);
		assertThat(query.getValue().limit()).isEqualTo(1);
		assertThat(query.getValue().cursor()).isNull();
	}

	@Test
	void listWithoutFiltersAsksForTheFirstPageOfFifty() {
		given(this.jobs.list(eq("tenant-a"), any())).willReturn(Mono.just(new JobPage(List.of(), null)));

		get("/api/v1/jobs").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items").isEmpty()
			.jsonPath("$.nextCursor").doesNotExist()
			.jsonPath("$.links.next").doesNotExist();

		verify(this.jobs).list("tenant-a", JobQuery.all());
	}

	@Test
	void resultsAnswerAPageWithoutBodiesUnlessAskedFor() {
		given(this.jobs.results(eq("tenant-a"), eq(ID), any())).willReturn(Mono.just(new ResultPage(
				List.of(TestJobs.result(ID, 0, OutcomeKind.SUCCEEDED), TestJobs.result(ID, 1, OutcomeKind.TIMED_OUT)),
				2)));

		get("/api/v1/jobs/" + ID + "/results?limit=2&outcome=SUCCEEDED,TIMED_OUT").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].index").isEqualTo(0)
			.jsonPath("$.items[0].outcome").isEqualTo("SUCCEEDED")
			.jsonPath("$.items[0].httpStatus").isEqualTo(200)
			.jsonPath("$.items[0].durationMs").isEqualTo(2000)
			.jsonPath("$.items[0].extracted.temperature").isEqualTo(0)
			.jsonPath("$.items[0].body").doesNotExist()
			.jsonPath("$.items[1].outcome").isEqualTo("TIMED_OUT")
			.jsonPath("$.items[1].error.kind").isEqualTo("TIMEOUT")
			.jsonPath("$.nextCursor").isEqualTo("2")
			.jsonPath("$.links.next").isEqualTo("/api/v1/jobs/" + ID + "/results?limit=2&outcome=SUCCEEDED,TIMED_OUT&cursor=2");
		verify(this.jobs).results("tenant-a", ID, new ResultQuery(Set.of(OutcomeKind.SUCCEEDED, OutcomeKind.TIMED_OUT),
				null, 2));

		get("/api/v1/jobs/" + ID + "/results?includeBody=true&cursor=2").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].body").isEqualTo("{\"tmp\":0}");
		verify(this.jobs).results("tenant-a", ID, ResultQuery.all().withCursor(2).withBodies(true));
	}

	@Test
	void resultsStreamAsNdjson() {
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any())).willReturn(streamed(0, TestJobs.result(ID, 1, OutcomeKind.SUCCEEDED),
				TestJobs.result(ID, 0, OutcomeKind.TIMED_OUT)));

		List<Map<String, Object>> lines = this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
			.returnResult(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(lines).extracting((line) -> line.get("index")).containsExactly(1, 0);
		assertThat(lines).extracting((line) -> line.get("outcome")).containsExactly("SUCCEEDED", "TIMED_OUT");
	}

	@Test
	void resultStreamsFilterByOutcomeAndAreNotPaged() {
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any())).willReturn(streamed(0, TestJobs.result(ID, 0, OutcomeKind.SUCCEEDED),
				TestJobs.result(ID, 1, OutcomeKind.TIMED_OUT), TestJobs.result(ID, 2, OutcomeKind.SUCCEEDED)));

		List<Map<String, Object>> lines = this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results?outcome=SUCCEEDED&includeBody=true&limit=0&cursor=nope")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(lines).extracting((line) -> line.get("index")).containsExactly(0, 2);
		assertThat(lines).allSatisfy((line) -> assertThat(line).containsKey("body"));
	}

	@Test
	void resultsStreamAsServerSentEventsEndingWithTheJob() {
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any())).willReturn(streamed(0, TestJobs.result(ID, 1, OutcomeKind.SUCCEEDED),
				TestJobs.result(ID, 0, OutcomeKind.TIMED_OUT)));
		given(this.jobs.get("tenant-a", ID))
			.willReturn(Mono.just(TestJobs.job(ID, JobStatus.COMPLETED, JobProgress.none(2), null)));

		List<ServerSentEvent<Map<String, Object>>> events = events(null);

		assertThat(events).extracting(ServerSentEvent::event).containsExactly("result", "result", "end");
		assertThat(events).extracting(ServerSentEvent::id).containsExactly("1", "2", null);
		assertThat(events.get(0).data()).containsEntry("index", 1);
		assertThat(events.get(2).data()).containsEntry("status", "COMPLETED");
	}

	@Test
	void serverSentEventsResumeAfterTheLastEventId() {
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any()))
			.willReturn(streamed(2, TestJobs.result(ID, 2, OutcomeKind.SUCCEEDED)));
		given(this.jobs.get("tenant-a", ID))
			.willReturn(Mono.just(TestJobs.job(ID, JobStatus.COMPLETED, JobProgress.none(3), null)));

		List<ServerSentEvent<Map<String, Object>>> events = events("2");

		assertThat(events).extracting(ServerSentEvent::id).containsExactly("3", null);
		assertThat(events.get(0).data()).containsEntry("index", 2).containsEntry("position", 3);
		verify(this.jobs).streamResults("tenant-a", ID, new ResultStreamQuery(2, false));
	}

	@Test
	void ndjsonStreamsResumeAfterAPositionAndRefuseANegativeOne() {
		given(this.jobs.streamResults(eq("tenant-a"), eq(ID), any()))
			.willReturn(streamed(5, TestJobs.result(ID, 4, OutcomeKind.SUCCEEDED)));

		List<Map<String, Object>> lines = this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results?after=5&includeBody=true")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(lines).extracting((line) -> line.get("position")).containsExactly(6);
		verify(this.jobs).streamResults("tenant-a", ID, new ResultStreamQuery(5, true));
		this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results?after=-1")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field").isEqualTo("after");
	}

	@Test
	void cancelAnswersAcceptedWithTheJob() {
		given(this.jobs.cancel("tenant-a", ID))
			.willReturn(Mono.just(TestJobs.job(ID, JobStatus.CANCELLED, JobProgress.none(1), null)));

		this.client.post()
			.uri("/api/v1/jobs/" + ID + "/cancel")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.status").isEqualTo("CANCELLED");
	}

	@Test
	void deleteAnswersNoContent() {
		given(this.jobs.delete("tenant-a", ID)).willReturn(Mono.empty());

		this.client.delete()
			.uri("/api/v1/jobs/" + ID)
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.exchange()
			.expectStatus()
			.isNoContent()
			.expectBody()
			.isEmpty();
		verify(this.jobs).delete("tenant-a", ID);
	}

	private WebTestClient.ResponseSpec submit(String json) {
		return this.client.post()
			.uri("/api/v1/jobs")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	private WebTestClient.ResponseSpec get(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", ApiSliceTest.KEY_A).exchange();
	}

	private JobSpec submittedSpec() {
		ArgumentCaptor<JobSpec> spec = ArgumentCaptor.forClass(JobSpec.class);
		verify(this.jobs).submit(any(), spec.capture(), any(), any(), any());
		return spec.getValue();
	}

	/** The results as a stream delivers them, after {@code after} others. */
	private static Flux<StreamedResult> streamed(int after, JobResult... results) {
		return Flux.range(0, results.length).map((i) -> new StreamedResult(after + i + 1, results[i]));
	}

	private List<ServerSentEvent<Map<String, Object>>> events(String lastEventId) {
		WebTestClient.RequestHeadersSpec<?> request = this.client.get()
			.uri("/api/v1/jobs/" + ID + "/results")
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.accept(MediaType.TEXT_EVENT_STREAM);
		if (lastEventId != null) {
			request = request.header("Last-Event-ID", lastEventId);
		}
		return request.exchange()
			.expectStatus()
			.isOk()
			.returnResult(new ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>>() {
			})
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(10));
	}

}
