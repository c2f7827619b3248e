package io.fanout.api.jobs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.security.Principal;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.annotations.ParameterObject;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The jobs resource as clients see it: routes, parameters and their OpenAPI documentation,
 * in one place. {@link JobController} implements it; Spring WebFlux and springdoc read these
 * annotations through the implementation.
 */
@RequestMapping(JobsApi.BASE_PATH)
@Tag(name = "Jobs", description = "Submit batches of HTTP requests, follow them, read or stream their results, "
		+ "cancel them.")
interface JobsApi {

	String BASE_PATH = "/api/v1/jobs";

	String IDEMPOTENCY_KEY = "Idempotency-Key";

	String JSON = MediaType.APPLICATION_JSON_VALUE;

	String NDJSON = MediaType.APPLICATION_NDJSON_VALUE;

	String EVENT_STREAM = MediaType.TEXT_EVENT_STREAM_VALUE;

	String JOB_ID = "The job's id.";

	@Operation(operationId = "submitJob", summary = "Submit a job",
			description = "Queues a batch of HTTP requests. Fanout runs them concurrently, at most `concurrency` at "
					+ "once, each attempt under `timeout`, failed ones retried with backoff, and stores each "
					+ "request's result. Settings left out come from the server's defaults. With an "
					+ "`Idempotency-Key`, a retried submission returns the job created the first time.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = JSON, schema = @Schema(implementation = JobSubmission.class),
							examples = @ExampleObject(name = "three-cities", summary = "Three cities, concurrently",
									value = Examples.THREE_CITIES))))
	@SubmissionAnswers
	@PostMapping(consumes = JSON, produces = JSON)
	Mono<ResponseEntity<JobResponse>> submit(@RequestBody JobSubmission submission,
			@Parameter(description = "Makes retried submissions safe: 1 to 200 printable ASCII characters, unique "
					+ "per tenant. The same key with the same body returns the first job; with a different body, "
					+ "a 422.", example = "3f1c9d52-weather-2026-11-21")
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "submitJobStream", summary = "Submit a large job as a stream",
			description = "Queues a job sent as NDJSON, for jobs too large for one JSON document (up to "
					+ "`fanout.scheduler.max-requests-per-job`, a million by default): the first line holds the "
					+ "job's settings (the fields of a JSON submission but `requests`), then each line one request, "
					+ "as an item of `requests` is written. Requests are checked and compressed as they arrive; "
					+ "errors name the request by its position, `requests[i]` (line i + 2). Otherwise the same as "
					+ "a JSON submission: answers, limits and `Idempotency-Key`.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = NDJSON, schema = @Schema(type = "string",
							description = "Lines of JSON: the settings, then one request per line."),
							examples = @ExampleObject(name = "two-pages", summary = "Settings, then two requests",
									value = Examples.STREAMED))))
	@SubmissionAnswers
	@PostMapping(path = "/stream", consumes = NDJSON, produces = JSON)
	Mono<ResponseEntity<JobResponse>> submitStream(@RequestBody Flux<JsonNode> lines,
			@Parameter(description = "As for a JSON submission.", example = "3f1c9d52-crawl-2026-11-21")
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "getJob", summary = "Get a job",
			description = "The job's status, progress and timestamps, and its reruns if it has any. Poll it, or "
					+ "stream its results instead.")
	@ApiResponse(responseCode = "200", description = "The job.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}", produces = JSON)
	Mono<JobResponse> get(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "listJobs", summary = "List jobs",
			description = "The tenant's jobs, newest first, a page at a time. Filters combine: a job is listed if it "
					+ "is in one of the statuses and carries every label.")
	@ApiResponse(responseCode = "200", description = "A page of jobs; `links.next` is the next page.")
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<PageResponses.JobPage> list(@ParameterObject JobListParameters parameters,
			@Parameter(hidden = true) ServerHttpRequest request, @Parameter(hidden = true) Principal principal);

	@ResultsOperation
	@GetMapping(path = "/{id}/results", produces = JSON)
	Mono<PageResponses.ResultPage> results(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@ParameterObject ResultPageParameters parameters, @Parameter(hidden = true) ServerHttpRequest request,
			@Parameter(hidden = true) Principal principal);

	@ResultsOperation
	@GetMapping(path = "/{id}/results", produces = NDJSON)
	Mono<Void> streamResults(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@ParameterObject ResultStreamParameters parameters, @Parameter(hidden = true) ServerHttpResponse response,
			@Parameter(hidden = true) Principal principal);

	@ResultsOperation
	@GetMapping(path = "/{id}/results", produces = EVENT_STREAM)
	Flux<ServerSentEvent<Object>> streamResultEvents(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@ParameterObject ResultStreamParameters parameters,
			@Parameter(in = ParameterIn.HEADER, description = "The id of the last event received, to resume after it.")
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable Long lastEventId,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "cancelJob", summary = "Cancel a job",
			description = "A queued job is cancelled at once; a running job's in-flight requests are aborted shortly "
					+ "after, on whichever instance runs it, and its requests without a result are marked CANCELLED. "
					+ "Cancelling a job whose cancellation is under way is not an error; cancelling a finished job "
					+ "is a 409.")
	@ApiResponse(responseCode = "202", description = "The job: CANCELLED, or RUNNING with cancelRequested.",
			content = @Content(mediaType = JSON, schema = @Schema(implementation = JobResponse.class)))
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/JobStateConflict")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/cancel", produces = JSON)
	Mono<ResponseEntity<JobResponse>> cancel(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "rerunJob", summary = "Rerun what failed",
			description = "Creates a new job of the requests of a finished job (COMPLETED, FAILED or CANCELLED) whose "
					+ "results have one of `outcomes` (by default every outcome but SUCCEEDED), in their order, with "
					+ "their stored headers, bodies and extraction rules, under the original's policy, name, labels, "
					+ "priority and deadline unless the body changes them (policy settings are checked as in a "
					+ "submission). The new job names the original in `rerunOf`, each of its results carries "
					+ "`sourceIndex`, the request's index in the original, and the original lists it in `reruns`. "
					+ "The queue's bound, the tenant's quotas and `Idempotency-Key` apply as to a submission. A job "
					+ "not finished yet is a 409 `job-state`; a filter that matches no request, a 409 "
					+ "`nothing-to-rerun`. A job's spec is kept as long as the job (retention deletes both at once), "
					+ "so every job that can be found can be rerun.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false,
					content = @Content(mediaType = JSON, schema = @Schema(implementation = RerunSubmission.class),
							examples = @ExampleObject(name = "timeouts", summary = "The timed-out requests, with more "
									+ "time", value = Examples.RERUN_TIMEOUTS))))
	@ApiResponse(responseCode = "202", description = "The rerun, queued (or, for a repeated Idempotency-Key, the one "
			+ "queued the first time).",
			headers = @Header(name = "Location", description = "The new job's URL.",
					schema = @Schema(type = "string", example = "/api/v1/jobs/019a7c2f-8e20-7b51-9c44-2a6d0f3e1b72")),
			content = @Content(mediaType = JSON, schema = @Schema(implementation = JobResponse.class)))
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/RerunConflict")
	@ApiResponse(responseCode = "413", ref = "#/components/responses/ContentTooLarge")
	@ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
	@ApiResponse(responseCode = "422", ref = "#/components/responses/IdempotencyConflict")
	@ApiResponse(responseCode = "429", ref = "#/components/responses/QueueFull")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/rerun", produces = JSON)
	Mono<ResponseEntity<JobResponse>> rerun(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@RequestBody(required = false) @Nullable RerunSubmission rerun,
			@Parameter(description = "Makes retried reruns safe, as on a submission: the same key with the same body "
					+ "returns the first rerun; with a different body, a 422.", example = "3f1c9d52-weather-rerun-1")
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "redeliverJobCallback", summary = "Deliver a callback event again",
			description = "Queues one of the job's callback deliveries again, due now, with the same `webhook-id` and "
					+ "body and a fresh retry period: the one named by `deliveryId`, else the latest. A delivery being "
					+ "sent at this very moment is left as it is. 409 when the job has no callback, or no such "
					+ "delivery yet (its events come when it ends).")
	@ApiResponse(responseCode = "202", description = "The delivery, queued again.",
			content = @Content(mediaType = JSON, schema = @Schema(implementation = JobResponse.DeliveryResponse.class)))
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/JobStateConflict")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@PostMapping(path = "/{id}/callback/redeliver", produces = JSON)
	Mono<ResponseEntity<JobResponse.DeliveryResponse>> redeliver(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(description = "The delivery to send again (its `id` in the job's `deliveries`); the latest "
					+ "when left out.") @RequestParam(name = "deliveryId", required = false) @Nullable UUID deliveryId,
			@Parameter(hidden = true) Principal principal);

	@Operation(operationId = "deleteJob", summary = "Delete a job",
			description = "Removes a finished job and its results. A queued or running job cannot be deleted (409): "
					+ "cancel it first.")
	@ApiResponse(responseCode = "204", description = "Deleted.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "409", ref = "#/components/responses/JobStateConflict")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@DeleteMapping(path = "/{id}")
	Mono<ResponseEntity<Void>> delete(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal);

	/**
	 * The documentation of {@code getResults}, one OpenAPI operation served by three methods: a page
	 * (JSON) and two live streams (NDJSON, server-sent events), chosen by {@code Accept}.
	 */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Operation(operationId = "getResults", summary = "Get results, as a page or a live stream", description = """
			The job's per-request results. By `Accept`:

			- `application/json` (default): a page of results in request order; requests still running have \
			no result yet. `limit` and `cursor` page through them. A page also ends early, with a next \
			cursor, once its results reach the server's byte budget per page (4 MB by default, bodies \
			included only with `includeBody=true`); a single larger result is a page of its own.
			- `application/x-ndjson`: a live stream, one result per line as each request completes: the \
			results stored so far first, then each new one (Python's `asyncio.as_completed`). It ends when the \
			job has ended and every result was sent. Each line carries its `position`; an empty line is a \
			keep-alive, sent when the stream has been silent for a while.
			- `text/event-stream`: the same as server-sent events: a `result` event per request, whose `id` is \
			its `position`, then one `end` event carrying the finished job. Comments (`:heartbeat`) keep an \
			idle stream alive.

			A stream lives at most the server's maximum stream lifetime (15 minutes by default). It then ends \
			cleanly: SSE with an `expired` event whose `id` (and `after` in its data) is where to resume; \
			NDJSON just ends, before the job did. Reconnecting with `Last-Event-ID` (SSE) or `after` (both) \
			set to the last position received resumes with the next result, none lost or repeated. A tenant \
			may hold a limited number of streams open at once (20 by default, per instance): one more is \
			refused with a 429 `too-many-streams` and `Retry-After`.""")
	@ApiResponse(responseCode = "200", description = "By `Accept`: a page of results (`application/json`, the "
			+ "default, a `ResultPage`); or results as they complete, each a `Result`: one per line "
			+ "(`application/x-ndjson`) or one per `result` event (`text/event-stream`).", content = {
					@Content(mediaType = JSON, schema = @Schema(implementation = PageResponses.ResultPage.class)),
					@Content(mediaType = NDJSON, schema = @Schema(implementation = ResultResponse.class),
							examples = @ExampleObject(name = "result-line", summary = "One line: one result",
									description = Examples.NDJSON_USE, value = Examples.STREAMED_RESULT)),
					@Content(mediaType = EVENT_STREAM, schema = @Schema(implementation = ResultResponse.class),
							examples = @ExampleObject(name = "result-event", summary = "The data of one `result` event",
									description = Examples.EVENT_STREAM_USE, value = Examples.STREAMED_RESULT)) })
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
	@ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyStreams")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@interface ResultsOperation {

	}

	/** What a submission answers, JSON or streamed: the job queued, or why not. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@ApiResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the job queued "
			+ "the first time).",
			headers = @Header(name = "Location", description = "The job's URL.",
					schema = @Schema(type = "string", example = "/api/v1/jobs/019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31")),
			content = @Content(mediaType = JSON, schema = @Schema(implementation = JobResponse.class)))
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "413", ref = "#/components/responses/ContentTooLarge")
	@ApiResponse(responseCode = "415", ref = "#/components/responses/UnsupportedMediaType")
	@ApiResponse(responseCode = "422", ref = "#/components/responses/IdempotencyConflict")
	@ApiResponse(responseCode = "429", ref = "#/components/responses/QueueFull")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@interface SubmissionAnswers {

	}

}
