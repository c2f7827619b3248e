package io.fanout.api.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.openapi.OpenApiFormats;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobError;
import io.fanout.scheduler.JobStatus;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * A job as the API shows it: no owner, no lease, and never its requests.
 *
 * @param id the job's id
 * @param name its name, if any
 * @param status where it is in its life
 * @param progress request count and outcomes so far
 * @param labels its labels
 * @param priority higher runs first
 * @param cancelRequested whether cancellation was asked for and is under way
 * @param createdAt when it was submitted
 * @param startedAt when it started running
 * @param finishedAt when it ended
 * @param deadline its limit from {@code startedAt}
 * @param error why it failed, for {@code FAILED}
 * @param scheduleId the schedule that submitted it
 * @param links related resources
 * @param notBefore when it may start at the earliest, if it was submitted for later
 * @param rerunOf the job it reruns, if it is a rerun
 * @param reruns its reruns, newest first; only on {@code GET /api/v1/jobs/{id}}
 * @param callback where the job reports its end, if it does (never its headers)
 * @param deliveries the latest deliveries of its callback, newest first
 */
@Schema(name = "Job", description = "A job: its status and progress. Its requests are not part of it.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResponse(
		@Schema(description = "Time-ordered id (UUID version 7).", requiredMode = Schema.RequiredMode.REQUIRED,
				example = "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31") UUID id,
		@Schema(description = "Name given at submission.", example = "weather") @Nullable String name,
		@Schema(description = "Where the job is in its life: QUEUED → RUNNING → COMPLETED, FAILED or CANCELLED.",
				example = "RUNNING", requiredMode = Schema.RequiredMode.REQUIRED) JobStatus status,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Progress progress,
		@Schema(example = "{\"team\": \"weather\"}", requiredMode = Schema.RequiredMode.REQUIRED) Map<String, String> labels,
		@Schema(example = "0", requiredMode = Schema.RequiredMode.REQUIRED) int priority,
		@Schema(description = "Whether cancellation was asked for; a running job stops shortly after.",
				example = "false", requiredMode = Schema.RequiredMode.REQUIRED) boolean cancelRequested,
		@Schema(example = "2026-11-21T08:00:00.000Z", requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
		@Schema(example = "2026-11-21T08:00:00.012Z") @Nullable Instant startedAt,
		@Schema(example = "2026-11-21T08:00:02.034Z") @Nullable Instant finishedAt,
		@Schema(description = "Its limit from `startedAt`, ISO-8601.", type = "string",
				pattern = OpenApiFormats.DURATION, example = "PT5M") @Nullable Duration deadline,
		@Nullable Failure error,
		@Schema(description = "The schedule that submitted it, if any.") @Nullable UUID scheduleId,
		@Schema(requiredMode = Schema.RequiredMode.REQUIRED) Links links,
		@Schema(description = "When the job may start at the earliest, as submitted (`notBefore`); no worker claims "
				+ "it before.", example = "2026-11-21T09:00:00Z") @Nullable Instant notBefore,
		@Schema(description = "For a rerun: the job whose requests it runs again.",
				example = "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31") @Nullable UUID rerunOf,
		@Schema(description = "The job's reruns, newest first, at most 20. Only when getting one job, and only "
				+ "if it has any.") @Nullable List<UUID> reruns,
		@Nullable CallbackResponse callback,
		@ArraySchema(arraySchema = @Schema(description = "The latest deliveries of the job's callback, newest first, "
				+ "at most " + CallbackService.MAX_LISTED + "; present when the job has a callback."))
		@Nullable List<DeliveryResponse> deliveries) {

	/** The job as the API shows it, without its callback. */
	public static JobResponse of(Job job) {
		return of(job, List.of());
	}

	/** The job as {@code GET /api/v1/jobs/{id}} shows it, with its reruns. */
	public static JobResponse of(Job job, List<UUID> reruns) {
		JobError error = job.error();
		return new JobResponse(job.id(), job.name(), job.status(), Progress.of(job), job.labels(), job.priority(),
				job.cancelRequested(), job.createdAt(), job.startedAt(), job.finishedAt(), job.deadline(),
				(error != null) ? new Failure(error.kind(), error.message()) : null, job.scheduleId(),
				Links.of(job.id()), job.notBefore(), job.rerunOf(), reruns.isEmpty() ? null : List.copyOf(reruns), null,
				null);
	}

	/** The job with its callback and deliveries; as it is without a callback. */
	public static JobResponse of(Job job, @Nullable Callback callback, List<CallbackDelivery> deliveries) {
		return of(job).withCallback(callback, deliveries);
	}

	/** This job with its callback and deliveries; as it is without a callback. */
	JobResponse withCallback(@Nullable Callback callback, List<CallbackDelivery> deliveries) {
		if (callback == null) {
			return this;
		}
		return new JobResponse(this.id, this.name, this.status, this.progress, this.labels, this.priority,
				this.cancelRequested, this.createdAt, this.startedAt, this.finishedAt, this.deadline, this.error,
				this.scheduleId, this.links, this.notBefore, this.rerunOf, this.reruns, CallbackResponse.of(callback),
				deliveries.stream().map(DeliveryResponse::of).toList());
	}

	/**
	 * A job's callback as the API shows it: never its headers.
	 *
	 * @param url where events go
	 * @param events the terminal events reported
	 * @param progressEvery a progress event every this many results, if asked
	 */
	@Schema(name = "Callback", description = "Where the job reports its end. Its headers are never shown.",
			requiredProperties = { "url", "events" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record CallbackResponse(@Schema(example = "https://example.com/hooks/fanout") String url,
			List<Callback.Event> events,
			@Schema(example = "1000") @Nullable Integer progressEvery) {

		static CallbackResponse of(Callback callback) {
			return new CallbackResponse(callback.url().toString(), List.copyOf(callback.events()),
					callback.progressEvery());
		}

	}

	/**
	 * One event of a job's callback and where its delivery stands.
	 *
	 * @param id the delivery's id, for re-delivery
	 * @param webhookId its {@code webhook-id} header, the same at every attempt
	 * @param type the event
	 * @param status pending, delivered or failed
	 * @param attempts attempts so far
	 * @param lastStatusCode the receiver's last answer
	 * @param lastError why the last attempt failed
	 * @param createdAt when the event happened
	 * @param nextAttemptAt when it is tried next, while pending
	 * @param lastAttemptAt when it was last tried
	 * @param deliveredAt when a receiver accepted it
	 */
	@Schema(name = "CallbackDelivery", description = "One event of the job's callback and where its delivery stands.",
			requiredProperties = { "id", "webhookId", "type", "status", "attempts", "createdAt" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record DeliveryResponse(@Schema(example = "019a7c2e-5d10-7c4e-9a55-8d2f1e0b6a31") UUID id,
			@Schema(example = "msg_019a7c2e5d107c4e9a558d2f1e0b6a31") String webhookId,
			@Schema(example = "job.completed",
					allowableValues = { "job.completed", "job.failed", "job.cancelled", "job.progress" }) String type,
			@Schema(example = "DELIVERED") CallbackDelivery.Status status, @Schema(example = "1") int attempts,
			@Schema(example = "200") @Nullable Integer lastStatusCode,
			@Schema(example = "the receiver answered 503") @Nullable String lastError,
			@Schema(example = "2026-11-21T08:00:02.034Z") Instant createdAt,
			@Schema(example = "2026-11-21T08:00:07.034Z") @Nullable Instant nextAttemptAt,
			@Schema(example = "2026-11-21T08:00:02.101Z") @Nullable Instant lastAttemptAt,
			@Schema(example = "2026-11-21T08:00:02.140Z") @Nullable Instant deliveredAt) {

		static DeliveryResponse of(CallbackDelivery delivery) {
			return new DeliveryResponse(delivery.id(), delivery.webhookId(), delivery.type(), delivery.status(),
					delivery.attempts(), delivery.lastStatusCode(), delivery.lastError(), delivery.createdAt(),
					delivery.nextAttemptAt(), delivery.lastAttemptAt(), delivery.deliveredAt());
		}

	}

	/**
	 * How far a job got.
	 *
	 * @param total requests in the job
	 * @param done requests with an outcome
	 * @param pending requests without an outcome yet
	 * @param counts requests per outcome, every outcome present
	 */
	@Schema(name = "JobProgress", description = "Request count and outcomes so far.",
			requiredProperties = { "total", "done", "pending", "counts" })
	record Progress(@Schema(example = "3") int total, @Schema(example = "2") int done,
			@Schema(example = "1") int pending,
			@Schema(description = "Requests per outcome; every outcome kind is present.",
					example = "{\"SUCCEEDED\": 2, \"HTTP_ERROR\": 0, \"TIMED_OUT\": 0, \"CONNECTION_ERROR\": 0, "
							+ "\"CIRCUIT_OPEN\": 0, \"REJECTED\": 0, \"BLOCKED\": 0, \"BODY_TOO_LARGE\": 0, "
							+ "\"EXTRACTION_FAILED\": 0, \"CANCELLED\": 0}") Map<OutcomeKind, Integer> counts) {

		static Progress of(Job job) {
			return new Progress(job.progress().total(), job.progress().done(), job.progress().pending(),
					job.progress().counts());
		}

	}

	/**
	 * Why a job failed as a whole.
	 *
	 * @param kind the cause
	 * @param message one line for people
	 */
	@Schema(name = "JobError", description = "Why the job failed as a whole.", requiredProperties = { "kind", "message" })
	record Failure(@Schema(example = "DEADLINE_EXCEEDED") JobError.Kind kind,
			@Schema(example = "the deadline of PT5M passed with 12 requests unfinished") String message) {
	}

	/**
	 * Where to go from a job.
	 *
	 * @param self the job
	 * @param results its results
	 * @param cancel where to cancel it
	 */
	@Schema(name = "JobLinks", description = "Related resources.",
			requiredProperties = { "self", "results", "cancel" })
	record Links(@Schema(example = "/api/v1/jobs/019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31") String self,
			@Schema(example = "/api/v1/jobs/019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31/results") String results,
			@Schema(example = "/api/v1/jobs/019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31/cancel") String cancel) {

		static Links of(UUID id) {
			String self = JobsApi.BASE_PATH + "/" + id;
			return new Links(self, self + "/results", self + "/cancel");
		}

	}

}
