package io.fanout.api.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.jobs.JobSubmission;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FlowControl;
import io.fanout.fetch.Rate;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleTrigger;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A schedule as the API shows it: its definition (request headers and bodies of its template left
 * out), where it stands, and links to its jobs and actions.
 *
 * @param id the schedule's id
 * @param name unique per tenant
 * @param trigger when it fires
 * @param template the job it submits
 * @param overlap what it does when the previous job is still going
 * @param enabled whether it fires
 * @param jitter random delay of each fire
 * @param nextFireAt when it fires next
 * @param lastFiredAt when it last launched a job
 * @param lastJob the job it launched last
 * @param missedCount fire times passed while nothing could fire them
 * @param skippedCount fires that launched nothing
 * @param declared whether it comes from configuration
 * @param createdAt when it was created
 * @param updatedAt when its definition last changed
 * @param links related resources
 */
@Schema(name = "Schedule", description = "A schedule: when it fires, the job it submits, and where it stands.")
@JsonInclude(JsonInclude.Include.NON_NULL)
record ScheduleResponse(
		@Schema(description = "Time-ordered id (UUID version 7).", requiredMode = Schema.RequiredMode.REQUIRED,
				example = "019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a") UUID id,
		@Schema(example = "weather", requiredMode = Schema.RequiredMode.REQUIRED) String name,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) ScheduleSubmission.Trigger trigger,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Template template,
		@Schema(example = "SKIP", requiredMode = Schema.RequiredMode.REQUIRED) OverlapPolicy overlap,
		@Schema(description = "Whether it fires; false while paused.", example = "true",
				requiredMode = Schema.RequiredMode.REQUIRED) boolean enabled,
		@Schema(type = "string", format = "duration", example = "PT2S") @Nullable Duration jitter,
		@Schema(description = "When it fires next, jitter included; absent while paused.",
				example = "2026-11-21T08:00:10Z") @Nullable Instant nextFireAt,
		@Schema(description = "When it last launched a job.", example = "2026-11-21T08:00:00Z") @Nullable Instant lastFiredAt,
		@Schema(description = "The job it launched last, with its status now.") @Nullable LastJob lastJob,
		@Schema(description = "Fire times that passed while no instance could fire them (downtime); a late "
				+ "schedule fires once, not once per missed time.", example = "0",
				requiredMode = Schema.RequiredMode.REQUIRED) long missedCount,
		@Schema(description = "Fires that launched nothing: the previous job was still going under `SKIP`, or the "
				+ "job queue was full.", example = "0", requiredMode = Schema.RequiredMode.REQUIRED) long skippedCount,
		@Schema(description = "Whether it is declared in configuration (`fanout.scheduler.schedules.<name>`): a changed "
				+ "declaration replaces it at the next start, and a deleted one comes back.", example = "false",
				requiredMode = Schema.RequiredMode.REQUIRED) boolean declared,
		@Schema(example = "2026-11-21T07:59:59.912Z", requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
		@Schema(example = "2026-11-21T07:59:59.912Z", requiredMode = Schema.RequiredMode.REQUIRED) Instant updatedAt,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Links links) {

	static ScheduleResponse of(Schedule schedule) {
		UUID lastJobId = schedule.lastJobId();
		return new ScheduleResponse(schedule.id(), schedule.name(), trigger(schedule.trigger()),
				Template.of(schedule.template()), schedule.overlap(), schedule.enabled(), schedule.jitter(),
				schedule.nextFireAt(), schedule.lastFiredAt(),
				(lastJobId != null) ? new LastJob(lastJobId, schedule.lastJobStatus()) : null, schedule.missedCount(),
				schedule.skippedCount(), schedule.declared(), schedule.createdAt(), schedule.updatedAt(),
				Links.of(schedule.id()));
	}

	private static ScheduleSubmission.Trigger trigger(ScheduleTrigger trigger) {
		if (trigger instanceof ScheduleTrigger.Cron cron) {
			return new ScheduleSubmission.Trigger(cron.expression(), cron.zone().getId(), null);
		}
		return new ScheduleSubmission.Trigger(null, null, ((ScheduleTrigger.FixedRate) trigger).period());
	}

	/**
	 * The job launched last.
	 *
	 * @param id its id
	 * @param status its status now; absent if it was deleted
	 */
	@Schema(name = "ScheduleLastJob", description = "The job the schedule launched last.", requiredProperties = "id")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record LastJob(@Schema(example = "019a7c32-1a2b-7c3d-8e4f-5a6b7c8d9e0f") UUID id,
			@Schema(description = "Its status now; absent if it was deleted.", example = "RUNNING")
			@Nullable JobStatus status) {
	}

	/**
	 * A schedule's job template, as submitted but for the request headers' values and bodies.
	 *
	 * @param name the jobs' name
	 * @param requests the requests
	 * @param concurrency requests in flight at once
	 * @param timeout per-attempt limit
	 * @param deadline limit for the whole job
	 * @param retry when failed requests are tried again
	 * @param failFast whether the first failure cancels the rest
	 * @param followRedirects whether redirects are followed
	 * @param maxBodySize most bytes of a body read
	 * @param allowRedirectToHttp whether a redirect from https to plain http is followed
	 * @param rateLimit how fast the jobs' requests may go, if limited
	 * @param flowControl the budget the jobs share with the owner's others of the same key, if any
	 * @param priority higher runs first
	 * @param labels the jobs' labels
	 */
	@Schema(name = "ScheduleTemplate", description = "The job a schedule submits, every setting filled in. Request "
			+ "header values and bodies are stored to run the jobs, never returned.",
			requiredProperties = { "requests", "concurrency", "timeout", "retry", "failFast", "followRedirects",
					"maxBodySize", "allowRedirectToHttp", "priority", "labels" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Template(@Schema(example = "weather") @Nullable String name, List<Request> requests,
			@Schema(example = "10") int concurrency,
			@Schema(type = "string", format = "duration", example = "PT10S") Duration timeout,
			@Schema(type = "string", format = "duration", example = "PT5M") @Nullable Duration deadline, Retry retry,
			@Schema(example = "false") boolean failFast, @Schema(example = "false") boolean followRedirects,
			@Schema(example = "1048576") long maxBodySize, @Schema(example = "false") boolean allowRedirectToHttp,
			JobSubmission.@Nullable RateLimit rateLimit, JobSubmission.@Nullable FlowControl flowControl,
			@Schema(example = "0") int priority,
			@Schema(example = "{\"team\": \"weather\"}") Map<String, String> labels) {

		static Template of(JobSpec spec) {
			FetchPolicy policy = spec.policy();
			return new Template(spec.name(), spec.requests().stream().map(Request::of).toList(), policy.concurrency(),
					policy.timeout(), spec.deadline(),
					new Retry(policy.retry().maxAttempts(), policy.retry().initialBackoff(),
							policy.retry().maxBackoff()),
					policy.failFast(), policy.followRedirects(), policy.maxBodySize(), policy.allowRedirectToHttp(),
					rate(policy.rateLimit()), flow(policy.flowControl()), spec.priority(), spec.labels());
		}

		private static JobSubmission.@Nullable RateLimit rate(@Nullable Rate rate) {
			return (rate != null) ? new JobSubmission.RateLimit(rate.permits(), rate.period()) : null;
		}

		private static JobSubmission.@Nullable FlowControl flow(@Nullable FlowControl flow) {
			return (flow != null) ? new JobSubmission.FlowControl(flow.key(), rate(flow.rate()), flow.parallelism())
					: null;
		}

	}

	/**
	 * One request of a template.
	 *
	 * @param url its URL
	 * @param method its method
	 * @param headerNames the names of its headers; their values are never returned
	 * @param extract its extraction rules
	 */
	@Schema(name = "ScheduleTemplateRequest", description = "One request of the job template.",
			requiredProperties = { "url", "method", "headerNames", "extract" })
	record Request(@Schema(example = "http://127.0.0.1:8080/demo/weather/paris") String url,
			@Schema(example = "GET") String method,
			@Schema(description = "Names of the request's headers; their values are never returned.",
					example = "[\"Accept\"]") List<String> headerNames,
			@Schema(example = "{\"temperature\": \"$.current_condition.tmp\"}") Map<String, String> extract) {

		static Request of(FetchRequest request) {
			return new Request(request.url().toString(), request.method(), List.copyOf(request.headers().keySet()),
					request.extract());
		}

		@Override
		public String toString() {
			return "Request[" + this.method + " " + this.url + "]";
		}

	}

	/**
	 * Retries of a template's requests.
	 *
	 * @param maxAttempts attempts in all
	 * @param initialBackoff wait before the first retry
	 * @param maxBackoff longest wait between attempts
	 */
	@Schema(name = "ScheduleTemplateRetry", description = "When failed requests are tried again.",
			requiredProperties = { "maxAttempts", "initialBackoff", "maxBackoff" })
	record Retry(@Schema(example = "3") int maxAttempts,
			@Schema(type = "string", format = "duration", example = "PT0.2S") Duration initialBackoff,
			@Schema(type = "string", format = "duration", example = "PT5S") Duration maxBackoff) {
	}

	/**
	 * Where to go from a schedule.
	 *
	 * @param self the schedule
	 * @param jobs the jobs it launched
	 * @param pause where to pause it
	 * @param resume where to resume it
	 * @param trigger where to run it now
	 */
	@Schema(name = "ScheduleLinks", description = "Related resources.",
			requiredProperties = { "self", "jobs", "pause", "resume", "trigger" })
	record Links(@Schema(example = "/api/v1/schedules/019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a") String self,
			@Schema(example = "/api/v1/jobs?scheduleId=019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a") String jobs,
			@Schema(example = "/api/v1/schedules/019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a/pause") String pause,
			@Schema(example = "/api/v1/schedules/019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a/resume") String resume,
			@Schema(example = "/api/v1/schedules/019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a/trigger") String trigger) {

		static Links of(UUID id) {
			String self = SchedulesApi.BASE_PATH + "/" + id;
			return new Links(self, "/api/v1/jobs?scheduleId=" + id, self + "/pause", self + "/resume",
					self + "/trigger");
		}

	}

}
