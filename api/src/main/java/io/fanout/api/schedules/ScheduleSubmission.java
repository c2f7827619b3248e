package io.fanout.api.schedules;

import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.jobs.JobSubmission;
import io.fanout.api.openapi.OpenApiFormats;
import io.fanout.scheduler.OverlapPolicy;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/schedules} and {@code PUT /api/v1/schedules/{id}}: when to fire and
 * the job to submit each time. Validated by {@link ScheduleSubmissions}, which reports every invalid
 * field at once. The fields only a {@link ScheduleResponse} has are ignored, so that a schedule read
 * back can be sent with {@code PUT} as it is; any other unknown field is an error.
 *
 * @param name unique per tenant
 * @param trigger when it fires
 * @param template the job submitted at each fire
 * @param overlap what to do when the previous job is still going
 * @param enabled whether it fires
 * @param jitter random delay of each fire, up to this much
 */
@Schema(name = "ScheduleSubmission", description = "A schedule: when it fires, and the job it submits each time.")
@JsonIgnoreProperties({ "id", "nextFireAt", "lastFiredAt", "lastJob", "missedCount", "skippedCount", "declared",
		"createdAt", "updatedAt", "links" })
record ScheduleSubmission(
		@Schema(description = "Unique per tenant, up to 200 characters of one-line text.", example = "weather",
				requiredMode = Schema.RequiredMode.REQUIRED) @Nullable String name,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) @Nullable Trigger trigger,
		@Schema(description = "The job submitted at each fire, as `POST /api/v1/jobs` takes it. A job without a "
				+ "`name` takes the schedule's.", requiredMode = Schema.RequiredMode.REQUIRED) @Nullable JobSubmission template,
		@Schema(description = "What to do when a fire comes while the job launched last is still queued or running: "
				+ "`SKIP` launches nothing (counted in `skippedCount`), `ALLOW` runs both, `CANCEL_PREVIOUS` cancels "
				+ "it and launches the new one.", defaultValue = "SKIP") @Nullable OverlapPolicy overlap,
		@Schema(description = "Whether it fires; `false` creates or keeps it paused.", defaultValue = "true",
				example = "true") @Nullable Boolean enabled,
		@Schema(description = "Delays each fire by a random time up to this much, to spread schedules that share a "
				+ "time; at most PT60M and, for a fixed rate, shorter than the rate. ISO-8601.", type = "string",
				pattern = OpenApiFormats.DURATION, example = "PT2S") @Nullable Duration jitter) {

	/**
	 * When a schedule fires: a cron expression in a time zone, or a fixed rate.
	 *
	 * @param cron Spring cron expression of six fields
	 * @param timezone the zone the cron expression is read in
	 * @param fixedRate time between fires
	 */
	@Schema(name = "ScheduleTrigger", description = "When the schedule fires: `cron` (in `timezone`) or `fixedRate`, "
			+ "exactly one of them.")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Trigger(
			@Schema(description = "Spring cron expression of six fields: second, minute, hour, day of month, month, "
					+ "day of week (or a macro such as `@daily`). On the night clocks go forward, a time that does "
					+ "not exist does not fire; on the night they go back, a time that happens twice fires once.",
					example = "0 0 7 * * MON-FRI") @Nullable String cron,
			@Schema(description = "Cron only: the IANA time zone the cron expression is read in; UTC when absent. "
					+ "A fixed-rate trigger has no time zone: leave it out.", example = "Europe/Paris")
			@Nullable String timezone,
			@Schema(description = "Time between fires, ISO-8601, at least `fanout.scheduler.min-fixed-rate` (PT1S by "
					+ "default). The first fire is one period after the schedule is created or resumed.",
					type = "string", pattern = OpenApiFormats.DURATION, example = "PT10S") @Nullable Duration fixedRate) {
	}

}
