package io.fanout.api.openapi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fanout.api.support.FanoutIntegrationTest;
import io.fanout.client.ApiClient;
import io.fanout.client.ApiException;
import io.fanout.client.api.JobsApi;
import io.fanout.client.api.SchedulesApi;
import io.fanout.client.model.Job;
import io.fanout.client.model.JobSubmission;
import io.fanout.client.model.Problem;
import io.fanout.client.model.RequestSubmission;
import io.fanout.client.model.Result;
import io.fanout.client.model.ResultPage;
import io.fanout.client.model.Schedule;
import io.fanout.client.model.ScheduleSubmission;
import io.fanout.client.model.ScheduleTrigger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The running application driven only through the Java client that the build generates from
 * {@code docs/openapi.json} (openapi-generator, {@code java}/{@code native}): if the contract lies to
 * generators, this fails. No hand-written HTTP.
 */
class GeneratedClientIntegrationTests extends FanoutIntegrationTest {

	@Value("${local.server.port}")
	private int port;

	private JobsApi jobs;

	private SchedulesApi schedules;

	@BeforeEach
	void client() {
		ApiClient client = new ApiClient();
		client.updateBaseUri("http://127.0.0.1:" + this.port);
		client.setRequestInterceptor((request) -> request.header("X-API-Key", KEY_A));
		this.jobs = new JobsApi(client);
		this.schedules = new SchedulesApi(client);
	}

	@Test
	void aJobIsSubmittedPolledAndItsResultsPagedWithTypedExtractedValues() throws ApiException {
		Job job = this.jobs.submitJob(new JobSubmission().requests(List.of(
				new RequestSubmission().url(upstream.url("/ok/generated-1")).extract(Map.of("temperature", "$.tmp")),
				new RequestSubmission().url(upstream.url("/ok/generated-2")).extract(Map.of("missing", "$.nothing")))),
				null);
		Job finished = awaitStatus(job.getId(), Job.StatusEnum.COMPLETED);
		assertThat(finished.getProgress().getTotal()).isEqualTo(2);

		ResultPage first = this.jobs.getResults(job.getId(), null, null, null, null, 1, null);
		assertThat(first.getItems()).hasSize(1);
		assertThat(first.getNextCursor()).isNotNull();
		Result result = first.getItems().get(0);
		assertThat(result.getOutcome()).isEqualTo(Result.OutcomeEnum.SUCCEEDED);
		assertThat(result.getExtracted()).containsEntry("temperature", 21);
		ResultPage second = this.jobs.getResults(job.getId(), null, null, null, null, 1, first.getNextCursor());
		assertThat(second.getItems().get(0).getExtracted()).containsEntry("missing", null);
	}

	@Test
	void aRunningJobIsCancelled() throws ApiException {
		Job job = this.jobs.submitJob(new JobSubmission()
			.requests(List.of(new RequestSubmission().url(upstream.url("/never/generated-" + UUID.randomUUID())))), null);
		awaitStatus(job.getId(), Job.StatusEnum.RUNNING);
		this.jobs.cancelJob(job.getId());
		assertThat(awaitStatus(job.getId(), Job.StatusEnum.CANCELLED).getStatus()).isEqualTo(Job.StatusEnum.CANCELLED);
	}

	@Test
	void fixedRateAndCronSchedulesAreCreatedReadBackAndReplacedUnchanged() throws ApiException {
		Schedule fixedRate = this.schedules.createSchedule(new ScheduleSubmission().name("generated-fixed-rate")
			.enabled(false)
			.trigger(new ScheduleTrigger().fixedRate("PT1M"))
			.template(new JobSubmission().requests(List.of(new RequestSubmission().url(upstream.url("/echo"))
				.method(RequestSubmission.MethodEnum.POST)
				.headers(Map.of("Authorization", "Bearer generated-s3cret"))
				.body("kept")))));
		Schedule cron = this.schedules.createSchedule(new ScheduleSubmission().name("generated-cron")
			.enabled(false)
			.trigger(new ScheduleTrigger().cron("0 0 7 * * MON-FRI").timezone("Europe/Paris"))
			.template(new JobSubmission().requests(List.of(new RequestSubmission().url(upstream.url("/ok/cron"))))));
		try {
			for (Schedule created : List.of(fixedRate, cron)) {
				Schedule read = this.schedules.getSchedule(created.getId());
				Schedule replaced = this.schedules.replaceSchedule(read.getId(), sentBack(read));
				assertThat(replaced.getTrigger()).isEqualTo(read.getTrigger());
				assertThat(replaced.getTemplate()).isEqualTo(read.getTemplate());
			}
			assertThat(this.schedules.getSchedule(fixedRate.getId()).getTemplate().getRequests().get(0).getHeaderNames())
				.containsExactly("Authorization");
			Schedule renamed = this.schedules.replaceSchedule(cron.getId(),
					sentBack(this.schedules.getSchedule(cron.getId())).name("generated-cron-renamed")
						.trigger(new ScheduleTrigger().fixedRate("PT2M")));
			assertThat(renamed.getName()).isEqualTo("generated-cron-renamed");
			assertThat(renamed.getTrigger().getTimezone()).isNull();
		}
		finally {
			this.schedules.deleteSchedule(fixedRate.getId());
			this.schedules.deleteSchedule(cron.getId());
		}
	}

	@Test
	void aBadRequestIsAnApiExceptionCarryingTheProblem() throws Exception {
		ApiException refused = catchThrowableOfType(ApiException.class, () -> this.jobs.submitJob(
				new JobSubmission().requests(List.of(new RequestSubmission().url("ftp://example.com/file"))), null));
		assertThat(refused.getCode()).isEqualTo(400);
		Problem problem = new ObjectMapper().findAndRegisterModules().readValue(refused.getResponseBody(), Problem.class);
		assertThat(problem.getType()).hasToString("https://fanout.io/problems/validation");
		assertThat(problem.getDetail()).isNotBlank();
		assertThat(problem.getErrors()).extracting((field) -> field.getField()).containsExactly("requests[0].url");
	}

	/** The schedule as read, as the body of a replace: the same fields, the same template. */
	private static ScheduleSubmission sentBack(Schedule schedule) {
		return new ScheduleSubmission().name(schedule.getName())
			.trigger(schedule.getTrigger())
			.template(schedule.getTemplate())
			.overlap(ScheduleSubmission.OverlapEnum.fromValue(schedule.getOverlap().getValue()))
			.enabled(schedule.getEnabled())
			.jitter(schedule.getJitter());
	}

	private Job awaitStatus(UUID id, Job.StatusEnum status) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.jobs.getJob(id), (job) -> job.getStatus() == status);
	}

}
