package io.fanout.api.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.jobs.JobSubmission;
import io.fanout.api.jobs.JobSubmissions;
import io.fanout.api.openapi.OpenApiFormats;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleTrigger;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A schedule as the API shows it: its definition (request header values and bodies of its template
 * left out), where it stands, and links to its jobs and actions.
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
		@Schema(description = "The job it submits, every setting filled in, as `template` of `PUT` takes it back: "
				+ "request header values and bodies are stored to run the jobs, never returned; each request names "
				+ "its headers (`headerNames`) and tells whether it has a body (`hasBody`), which a template sent "
				+ "back keeps.", requiredMode = Schema.RequiredMode.REQUIRED) JobSubmission template,
		@Schema(example = "SKIP", requiredMode = Schema.RequiredMode.REQUIRED) OverlapPolicy overlap,
		@Schema(description = "Whether it fires; false while paused.", example = "true",
				requiredMode = Schema.RequiredMode.REQUIRED) boolean enabled,
		@Schema(description = "Random delay of each fire, up to this much, ISO-8601.", type = "string",
				pattern = OpenApiFormats.DURATION, example = "PT2S") @Nullable Duration jitter,
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
				JobSubmissions.of(schedule.template()), schedule.overlap(), schedule.enabled(), schedule.jitter(),
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
