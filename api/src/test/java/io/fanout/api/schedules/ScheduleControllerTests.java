package io.fanout.api.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fanout.api.support.ApiSliceTest;
import io.fanout.api.support.TestJobs;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.QueueFullException;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleNameConflictException;
import io.fanout.scheduler.ScheduleNotFoundException;
import io.fanout.scheduler.ScheduleOverlapException;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

/**
 * The schedules resource mapped to the {@link ScheduleService}: what each operation asks the
 * scheduler, what it answers, and every invalid input refused by field before the scheduler is asked.
 */
@ApiSliceTest
@SuppressWarnings("unchecked")
class ScheduleControllerTests {

	private static final UUID ID = UUID.fromString("019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a");

	private static final UUID JOB_ID = UUID.fromString("019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31");

	private static final Instant CREATED = Instant.parse("2026-11-21T08:00:00Z");

	@Autowired
	private WebTestClient client;

	@Autowired
	private ScheduleService schedules;

	// The jobs controller is part of the slice too.
	@MockitoBean
	private JobService jobs;

	@Test
	void createMapsTheSubmissionAndAnswersCreatedWithTheSchedulesLocation() {
		given(this.schedules.create(eq("tenant-a"), any()))
			.willAnswer((invocation) -> Mono.just(schedule(invocation.getArgument(1))));

		send(this.client.post().uri("/api/v1/schedules"), """
				{"name": "prices", "trigger": {"cron": "0 0 7 * * MON-FRI", "timezone": "Europe/Paris"},
				 "overlap": "CANCEL_PREVIOUS", "jitter": "PT30S",
				 "template": {"requests": [{"url": "http://upstream.test/prices",
				                            "headers": {"Authorization": "Bearer s3cret"},
				                            "extract": {"price": "$.price"}}],
				              "timeout": "PT5S", "labels": {"team": "pricing"}}}""")
			.expectStatus()
			.isCreated()
			.expectHeader()
			.location("/api/v1/schedules/" + ID)
			.expectBody()
			.jsonPath("$.id").isEqualTo(ID.toString())
			.jsonPath("$.name").isEqualTo("prices")
			.jsonPath("$.trigger.cron").isEqualTo("0 0 7 * * MON-FRI")
			.jsonPath("$.trigger.timezone").isEqualTo("Europe/Paris")
			.jsonPath("$.trigger.fixedRate").doesNotExist()
			.jsonPath("$.overlap").isEqualTo("CANCEL_PREVIOUS")
			.jsonPath("$.enabled").isEqualTo(true)
			.jsonPath("$.jitter").isEqualTo("PT30S")
			.jsonPath("$.template.requests[0].url").isEqualTo("http://upstream.test/prices")
			.jsonPath("$.template.requests[0].headerNames[0]").isEqualTo("Authorization")
			.jsonPath("$.template.requests[0].headers").doesNotExist()
			.jsonPath("$.template.requests[0].extract.price").isEqualTo("$.price")
			.jsonPath("$.template.timeout").isEqualTo("PT5S")
			.jsonPath("$.template.concurrency").isEqualTo(10)
			.jsonPath("$.template.retry.maxAttempts").isEqualTo(3)
			.jsonPath("$.template.labels.team").isEqualTo("pricing")
			.jsonPath("$.nextFireAt").isEqualTo("2026-11-23T06:00:00Z")
			.jsonPath("$.lastJob").doesNotExist()
			.jsonPath("$.missedCount").isEqualTo(0)
			.jsonPath("$.skippedCount").isEqualTo(0)
			.jsonPath("$.declared").isEqualTo(false)
			.jsonPath("$.owner").doesNotExist()
			.jsonPath("$.links.self").isEqualTo("/api/v1/schedules/" + ID)
			.jsonPath("$.links.jobs").isEqualTo("/api/v1/jobs?scheduleId=" + ID)
			.jsonPath("$.links.trigger").isEqualTo("/api/v1/schedules/" + ID + "/trigger");

		ScheduleSpec spec = created();
		assertThat(spec.trigger()).isEqualTo(ScheduleTrigger.cron("0 0 7 * * MON-FRI", ZoneId.of("Europe/Paris")));
		assertThat(spec.overlap()).isEqualTo(OverlapPolicy.CANCEL_PREVIOUS);
		assertThat(spec.jitter()).isEqualTo(Duration.ofSeconds(30));
		assertThat(spec.template().requests().get(0).headers()).containsEntry("Authorization", "Bearer s3cret");
		assertThat(spec.template().policy().timeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(spec.template().labels()).containsEntry("team", "pricing");
	}

	@Test
	void createDefaultsToAnEnabledScheduleThatSkipsOverlaps() {
		given(this.schedules.create(eq("tenant-a"), any()))
			.willAnswer((invocation) -> Mono.just(schedule(invocation.getArgument(1))));

		String body = send(this.client.post().uri("/api/v1/schedules"),
				"{\"name\": \"rate\", \"trigger\": {\"fixedRate\": \"PT10S\"}, "
						+ "\"template\": {\"requests\": [{\"url\": \"http://upstream.test/\", \"body\": \"s3cret\"}]}}")
			.expectStatus()
			.isCreated()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();

		assertThat(body).contains("\"fixedRate\":\"PT10S\"").doesNotContain("s3cret").doesNotContain("timezone");
		ScheduleSpec spec = created();
		assertThat(spec.trigger()).isEqualTo(ScheduleTrigger.fixedRate(Duration.ofSeconds(10)));
		assertThat(spec.overlap()).isEqualTo(OverlapPolicy.SKIP);
		assertThat(spec.enabled()).isTrue();
		assertThat(spec.jitter()).isNull();
		assertThat(spec.template().policy().concurrency()).isEqualTo(FetchPolicy.DEFAULT.concurrency());
	}

	@Test
	void everyInvalidFieldIsNamedAtOnce() {
		validation(send(this.client.post().uri("/api/v1/schedules"), """
				{"name": "", "trigger": {"cron": "0 * * * *", "timezone": "Europe/Atlantis"},
				 "template": {"requests": [{"url": "ftp://upstream.test/"}, {"url": "http://upstream.test/", "method": "BREW"}],
				              "concurrency": 0}}"""))
			.jsonPath("$.errors[*].field").value((fields) -> assertThat((List<Object>) fields).containsExactlyInAnyOrder(
					"trigger.timezone", "trigger.cron", "template.requests[0].url", "template.requests[1].method",
					"template.concurrency", "name"));
		verifyNoInteractions(this.schedules);
	}

	@Test
	void triggersAreCheckedByField() {
		assertInvalid("{\"trigger\": {\"fixedRate\": \"PT0.5S\"}}", "trigger.fixedRate",
				"a fixed rate must be at least PT1S");
		assertInvalid("{\"trigger\": {\"fixedRate\": \"PT0S\"}}", "trigger.fixedRate", "a fixed rate must be positive");
		assertInvalid("{\"trigger\": {\"fixedRate\": \"10s\"}}", "trigger.fixedRate",
				"must be an ISO-8601 duration such as PT10S");
		assertInvalid("{\"trigger\": {\"cron\": \"0 0 * * * *\", \"fixedRate\": \"PT1M\"}}", "trigger",
				"give either cron (with an optional timezone) or fixedRate");
		assertInvalid("{\"trigger\": {}}", "trigger", "give either cron (with an optional timezone) or fixedRate");
		assertInvalid("{\"trigger\": {\"fixedRate\": \"PT1M\", \"timezone\": \"UTC\"}}", "trigger.timezone",
				"only a cron trigger has a time zone");
		assertInvalid("{\"trigger\": {\"fixedRate\": \"PT1M\"}, \"jitter\": \"PT1M\"}", "jitter",
				"jitter must be shorter than the fixed rate");
		assertInvalid("{\"trigger\": {\"fixedRate\": \"PT1M\"}, \"overlap\": \"SOMETIMES\"}", "overlap",
				"must be one of [SKIP, ALLOW, CANCEL_PREVIOUS]");
		verifyNoInteractions(this.schedules);
	}

	@Test
	void aScheduleNeedsANameATriggerAndATemplate() {
		validation(send(this.client.post().uri("/api/v1/schedules"), "{}"))
			.jsonPath("$.errors[*].field")
			.value((fields) -> assertThat((List<Object>) fields).containsExactlyInAnyOrder("trigger", "template", "name"));
		validation(send(this.client.post().uri("/api/v1/schedules"),
				"{\"name\": \"n\", \"trigger\": {\"fixedRate\": \"PT1M\"}, \"template\": {\"requests\": []}}"))
			.jsonPath("$.errors[0].field").isEqualTo("template.requests");
		validation(send(this.client.post().uri("/api/v1/schedules"),
				"{\"name\": \"n\", \"trigger\": {\"fixedRate\": \"PT1M\"}, \"template\": {\"requests\": ["
						+ "{\"url\": \"http://upstream.test/\"}, ".repeat(6) + "{\"url\": \"http://upstream.test/\"}]}}"))
			.jsonPath("$.errors[0].field").isEqualTo("template.requests")
			.jsonPath("$.errors[0].message").isEqualTo("a job may have at most 5 requests, not 7");
	}

	@Test
	void whatTheSchedulerRefusesIsABadRequestOrAConflict() {
		given(this.schedules.create(eq("tenant-a"), any()))
			.willReturn(Mono.error(new InvalidScheduleException("trigger.cron", "the cron expression never fires")));
		validation(send(this.client.post().uri("/api/v1/schedules"), valid("{\"cron\": \"0 0 0 30 2 *\"}")))
			.jsonPath("$.errors[0].field").isEqualTo("trigger.cron")
			.jsonPath("$.errors[0].message").isEqualTo("the cron expression never fires");

		given(this.schedules.create(eq("tenant-a"), any()))
			.willReturn(Mono.error(new ScheduleNameConflictException("prices", ID)));
		problem(send(this.client.post().uri("/api/v1/schedules"), valid("{\"fixedRate\": \"PT1M\"}")),
				HttpStatus.CONFLICT, "schedule-name-taken")
			.jsonPath("$.scheduleId").isEqualTo(ID.toString());
	}

	@Test
	void listPagesNewestFirstWithANextLink() {
		UUID next = UUID.randomUUID();
		given(this.schedules.list(eq("tenant-a"), any()))
			.willReturn(Mono.just(new SchedulePage(List.of(schedule(spec())), next)));

		get("/api/v1/schedules?limit=1").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].id").isEqualTo(ID.toString())
			.jsonPath("$.nextCursor").isEqualTo(next.toString())
			.jsonPath("$.links.self").isEqualTo("/api/v1/schedules?limit=1")
			.jsonPath("$.links.next").isEqualTo("/api/v1/schedules?limit=1&cursor=" + next);
		verify(this.schedules).list("tenant-a", new ScheduleQuery(null, 1));

		validation(get("/api/v1/schedules?limit=0")).jsonPath("$.errors[0].field").isEqualTo("limit");
		validation(get("/api/v1/schedules?cursor=nope")).jsonPath("$.errors[0].field").isEqualTo("cursor");
	}

	@Test
	void getShowsWhereTheScheduleStandsAndItsLastJob() {
		Schedule fired = new Schedule(ID, "tenant-a", "prices", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)),
				template(), OverlapPolicy.SKIP, true, null, CREATED.plusSeconds(120), CREATED.plusSeconds(60), JOB_ID,
				JobStatus.RUNNING, 3, 2, true, CREATED, CREATED);
		given(this.schedules.get("tenant-a", ID)).willReturn(Mono.just(fired));

		get("/api/v1/schedules/" + ID).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.nextFireAt").isEqualTo("2026-11-21T08:02:00Z")
			.jsonPath("$.lastFiredAt").isEqualTo("2026-11-21T08:01:00Z")
			.jsonPath("$.lastJob.id").isEqualTo(JOB_ID.toString())
			.jsonPath("$.lastJob.status").isEqualTo("RUNNING")
			.jsonPath("$.missedCount").isEqualTo(3)
			.jsonPath("$.skippedCount").isEqualTo(2)
			.jsonPath("$.declared").isEqualTo(true);

		given(this.schedules.get("tenant-a", ID)).willReturn(Mono.error(new ScheduleNotFoundException(ID)));
		problem(get("/api/v1/schedules/" + ID), HttpStatus.NOT_FOUND, "not-found")
			.jsonPath("$.detail").isEqualTo("schedule " + ID + " not found");
		problem(get("/api/v1/schedules/not-a-uuid"), HttpStatus.NOT_FOUND, "not-found");
	}

	@Test
	void putReplacesTheDefinition() {
		given(this.schedules.get("tenant-a", ID)).willReturn(Mono.just(schedule(spec())));
		given(this.schedules.update(eq("tenant-a"), eq(ID), any()))
			.willAnswer((invocation) -> Mono.just(schedule(invocation.getArgument(2))));

		send(this.client.put().uri("/api/v1/schedules/" + ID), valid("{\"fixedRate\": \"PT2M\"}").replace(
				"\"name\": \"prices\"", "\"name\": \"renamed\", \"enabled\": false"))
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.name").isEqualTo("renamed")
			.jsonPath("$.enabled").isEqualTo(false)
			.jsonPath("$.trigger.fixedRate").isEqualTo("PT2M");
		validation(send(this.client.put().uri("/api/v1/schedules/" + ID), "{\"name\": \"renamed\"}"));
	}

	@Test
	void deletePauseAndResumeActOnTheTenantsSchedule() {
		given(this.schedules.delete("tenant-a", ID)).willReturn(Mono.empty());
		this.client.delete()
			.uri("/api/v1/schedules/" + ID)
			.header("X-API-Key", ApiSliceTest.KEY_A)
			.exchange()
			.expectStatus()
			.isNoContent();

		given(this.schedules.pause("tenant-a", ID)).willReturn(Mono.just(schedule(spec().withEnabled(false))));
		post("/api/v1/schedules/" + ID + "/pause").expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.enabled").isEqualTo(false)
			.jsonPath("$.nextFireAt").doesNotExist();
		given(this.schedules.resume("tenant-a", ID)).willReturn(Mono.just(schedule(spec())));
		post("/api/v1/schedules/" + ID + "/resume").expectStatus().isOk().expectBody().jsonPath("$.enabled").isEqualTo(true);

		given(this.schedules.pause("tenant-b", ID)).willReturn(Mono.error(new ScheduleNotFoundException(ID)));
		problem(this.client.post()
			.uri("/api/v1/schedules/" + ID + "/pause")
			.header("X-API-Key", ApiSliceTest.KEY_B)
			.exchange(), HttpStatus.NOT_FOUND, "not-found");
	}

	@Test
	void triggerAnswersTheLaunchedJobOrWhyNothingWasLaunched() {
		given(this.schedules.trigger("tenant-a", ID)).willReturn(Mono.just(TestJobs.queued(JOB_ID, template())));
		post("/api/v1/schedules/" + ID + "/trigger").expectStatus()
			.isAccepted()
			.expectHeader()
			.location("/api/v1/jobs/" + JOB_ID)
			.expectBody()
			.jsonPath("$.id").isEqualTo(JOB_ID.toString())
			.jsonPath("$.status").isEqualTo("QUEUED");

		given(this.schedules.trigger("tenant-a", ID))
			.willReturn(Mono.error(new ScheduleOverlapException(ID, JOB_ID, JobStatus.RUNNING)));
		problem(post("/api/v1/schedules/" + ID + "/trigger"), HttpStatus.CONFLICT, "schedule-overlap")
			.jsonPath("$.jobId").isEqualTo(JOB_ID.toString())
			.jsonPath("$.jobStatus").isEqualTo("RUNNING");

		given(this.schedules.trigger("tenant-a", ID))
			.willReturn(Mono.error(new QueueFullException(1000, Duration.ofSeconds(5))));
		problem(post("/api/v1/schedules/" + ID + "/trigger"), HttpStatus.TOO_MANY_REQUESTS, "queue-full");
	}

	@Test
	void everyOperationNeedsCredentials() {
		this.client.get().uri("/api/v1/schedules").exchange().expectStatus().isUnauthorized();
		this.client.post().uri("/api/v1/schedules/" + ID + "/trigger").exchange().expectStatus().isUnauthorized();
		verifyNoInteractions(this.schedules);
	}

	private ScheduleSpec created() {
		ArgumentCaptor<ScheduleSpec> spec = ArgumentCaptor.forClass(ScheduleSpec.class);
		verify(this.schedules).create(eq("tenant-a"), spec.capture());
		return spec.getValue();
	}

	private void assertInvalid(String fields, String field, String message) {
		String json = fields.substring(0, fields.length() - 1) + ", \"name\": \"n\", \"template\": {\"requests\": "
				+ "[{\"url\": \"http://upstream.test/\"}]}}";
		validation(send(this.client.post().uri("/api/v1/schedules"), json))
			.jsonPath("$.errors[0].field").isEqualTo(field)
			.jsonPath("$.errors[0].message").isEqualTo(message);
	}

	/** A valid submission named {@code prices} with this trigger. */
	private static String valid(String trigger) {
		return "{\"name\": \"prices\", \"trigger\": " + trigger
				+ ", \"template\": {\"requests\": [{\"url\": \"http://upstream.test/\"}]}}";
	}

	private static Schedule schedule(ScheduleSpec spec) {
		Instant next = spec.enabled() ? spec.trigger().next(CREATED) : null;
		return new Schedule(ID, "tenant-a", spec.name(), spec.trigger(), spec.template(), spec.overlap(), spec.enabled(),
				spec.jitter(), next, null, null, null, 0, 0, false, CREATED, CREATED);
	}

	private static ScheduleSpec spec() {
		return ScheduleSpec.of("prices", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)), template());
	}

	private static JobSpec template() {
		return JobSpec.of(List.of(FetchRequest.get("http://upstream.test/prices")), FetchPolicy.DEFAULT)
			.withLabels(Map.of("team", "pricing"));
	}

	private WebTestClient.ResponseSpec send(WebTestClient.RequestBodySpec request, String json) {
		return request.header("X-API-Key", ApiSliceTest.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(json)
			.exchange();
	}

	private WebTestClient.ResponseSpec get(String uri) {
		return this.client.get().uri(uri).header("X-API-Key", ApiSliceTest.KEY_A).exchange();
	}

	private WebTestClient.ResponseSpec post(String uri) {
		return this.client.post().uri(uri).header("X-API-Key", ApiSliceTest.KEY_A).exchange();
	}

	private static WebTestClient.BodyContentSpec validation(WebTestClient.ResponseSpec response) {
		return problem(response, HttpStatus.BAD_REQUEST, "validation").jsonPath("$.errors").isArray();
	}

	private static WebTestClient.BodyContentSpec problem(WebTestClient.ResponseSpec response, HttpStatus status,
			String type) {
		return response.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://fanout.io/problems/" + type)
			.jsonPath("$.status").isEqualTo(status.value())
			.jsonPath("$.title").isNotEmpty()
			.jsonPath("$.detail").isNotEmpty();
	}

}
