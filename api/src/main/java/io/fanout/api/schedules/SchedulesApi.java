package io.fanout.api.schedules;

import java.security.Principal;
import java.util.UUID;

import io.fanout.api.jobs.JobResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springdoc.core.annotations.ParameterObject;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The schedules resource as clients see it: routes, parameters and their OpenAPI documentation,
 * in one place. {@link ScheduleController} implements it; Spring WebFlux and springdoc read these
 * annotations through the implementation.
 */
@RequestMapping(SchedulesApi.BASE_PATH)
@Tag(name = "Schedules", description = "Submit a job periodically, on a cron expression or at a fixed rate; pause, "
		+ "resume or run a schedule now. Its runs are jobs: `GET /api/v1/jobs?scheduleId=…`.")
interface SchedulesApi {

	String BASE_PATH = "/api/v1/schedules";

	String JSON = MediaType.APPLICATION_JSON_VALUE;

	String SCHEDULE_ID = "The schedule's id.";

	@Operation(operationId = "createSchedule", summary = "Create a schedule",
			description = "Creates a schedule that submits its job template at every fire of its trigger: a cron "
					+ "expression in a time zone, or a fixed rate. Every Fanout instance fires due schedules; each fire "
					+ "launches at most one job cluster-wide. A fire that comes while the previous job is still going "
					+ "follows `overlap`. After downtime, a schedule fires once and counts the fire times it missed.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = JSON, schema = @Schema(implementation = ScheduleSubmission.class),
							examples = {
									@ExampleObject(name = "every-10-seconds", summary = "The demo weather, every 10 s",
											value = Examples.WEATHER_EVERY_10_SECONDS),
									@ExampleObject(name = "weekday-mornings",
											summary = "Weekdays at 07:00 Paris time, cancelling a late previous run",
											value = Examples.WEEKDAY_MORNINGS) })))
	@ApiResponse(responseCode = "201", description = "Created.",
			headers = @Header(name = "Location", description = "The schedule's URL.",
					schema = @Schema(type = "string", example = "/api/v1/schedules/019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a")),
			content = @Content(mediaType = JSON, schema = @Schema(implementation = ScheduleResponse.class)))
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/ScheduleNameConflict")
	@ApiResponse(responseCode = "413", ref = "#/components/responses/ContentTooLarge")
	@ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
	@ApiResponse(responseCode = "429", ref = "#/components/responses/QuotaExceeded")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(consumes = JSON, produces = JSON)
	Mono<ResponseEntity<ScheduleResponse>> create(@RequestBody ScheduleSubmission submission,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "listSchedules", summary = "List schedules",
			description = "The tenant's schedules, newest first, a page at a time.")
	@ApiResponse(responseCode = "200", description = "A page of schedules; `links.next` is the next page.")
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<SchedulePageResponse> list(@ParameterObject ScheduleListParameters parameters,
			@Parameter(hidden = true) ServerHttpRequest request, @Parameter(hidden = true) Principal principal);

	@Operation(operationId = "getSchedule", summary = "Get a schedule",
			description = "The schedule's definition and where it stands: next and last fire, the job it launched "
					+ "last and that job's status, missed and skipped fires.")
	@ApiResponse(responseCode = "200", description = "The schedule.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}", produces = JSON)
	Mono<ScheduleResponse> get(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "replaceSchedule", summary = "Replace a schedule",
			description = "Replaces the whole definition. The schedule as `GET` returns it can be sent back as it is, "
					+ "changed or not: the fields the server sets (`id`, `nextFireAt`, `links`, …) are ignored, and a "
					+ "template request keeps the stored values of the headers it names in `headerNames` but does not "
					+ "carry in `headers`, and with `hasBody` and no `body` its stored body, from the request at the "
					+ "same position with the same URL (a name or body it does not have is a 400). The next fire time stays unless the trigger, "
					+ "the jitter or `enabled` changed; counts and the last job stay.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = JSON, schema = @Schema(implementation = ScheduleSubmission.class))))
	@ApiResponse(responseCode = "200", description = "The schedule after the change.")
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/ScheduleNameConflict")
	@ApiResponse(responseCode = "413", ref = "#/components/responses/ContentTooLarge")
	@ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PutMapping(path = "/{id}", consumes = JSON, produces = JSON)
	Mono<ScheduleResponse> replace(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@RequestBody ScheduleSubmission submission, @Parameter(hidden = true) Principal principal);

	@Operation(operationId = "deleteSchedule", summary = "Delete a schedule",
			description = "Removes the schedule. The jobs it launched stay, and keep its id. A schedule declared in "
					+ "configuration comes back at the next start: remove its declaration too.")
	@ApiResponse(responseCode = "204", description = "Deleted.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@DeleteMapping(path = "/{id}")
	Mono<ResponseEntity<Void>> delete(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "pauseSchedule", summary = "Pause a schedule",
			description = "Stops the schedule from firing until resumed; a running job goes on. Pausing a paused "
					+ "schedule changes nothing.")
	@ApiResponse(responseCode = "200", description = "The paused schedule.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/pause", produces = JSON)
	Mono<ScheduleResponse> pause(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "resumeSchedule", summary = "Resume a schedule",
			description = "Lets a paused schedule fire again, from its trigger's first time after now: the fire times "
					+ "of the pause are neither fired nor counted as missed. Resuming an enabled schedule changes "
					+ "nothing.")
	@ApiResponse(responseCode = "200", description = "The resumed schedule.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/resume", produces = JSON)
	Mono<ScheduleResponse> resume(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "triggerSchedule", summary = "Run a schedule now",
			description = "Launches the schedule's job now, outside its cadence, paused or not; the next fire time "
					+ "stays. The overlap policy still applies: under `SKIP`, while the previous job is still going, "
					+ "nothing is launched (409, counted as skipped); under `CANCEL_PREVIOUS` that job is cancelled.")
	@ApiResponse(responseCode = "202", description = "The job launched, queued.",
			headers = @Header(name = "Location", description = "The job's URL.",
					schema = @Schema(type = "string", example = "/api/v1/jobs/019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31")),
			content = @Content(mediaType = JSON, schema = @Schema(implementation = JobResponse.class)))
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/ScheduleOverlap")
	@ApiResponse(responseCode = "429", ref = "#/components/responses/QueueFull")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/trigger", produces = JSON)
	Mono<ResponseEntity<JobResponse>> trigger(@Parameter(description = SCHEDULE_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

}
