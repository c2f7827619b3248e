package io.fanout.api.jobs;

import java.net.URI;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultQuery;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jobs resource. Every operation acts for the authenticated tenant: another tenant's job is
 * reported as not found. All the work is the scheduler's ({@link JobService}); this class maps HTTP
 * to it and back.
 */
@RestController
@RequestMapping(JobController.BASE_PATH)
@Tag(name = "Jobs", description = "Submit batches of HTTP requests, follow them, read or stream their results, "
		+ "cancel them.")
class JobController {

	static final String BASE_PATH = "/api/v1/jobs";

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

	private static final String NDJSON = MediaType.APPLICATION_NDJSON_VALUE;

	private static final String EVENT_STREAM = MediaType.TEXT_EVENT_STREAM_VALUE;

	private static final String JOB_ID = "The job's id.";

	private static final String OUTCOMES = "Only results with these outcomes (repeat the parameter or separate with "
			+ "commas).";

	// The three representations of the results share one OpenAPI operation.
	private static final String RESULTS_SUMMARY = "Get results, as a page or a live stream";

	private static final String RESULTS_DESCRIPTION = """
			The job's per-request results. By `Accept`:

			- `application/json` (default): a page of results in request order; requests still running have \
			no result yet. `limit` and `cursor` page through them.
			- `application/x-ndjson`: a live stream, one result per line as each request completes: the \
			results stored so far first, then each new one (Python's `asyncio.as_completed`). It ends when the \
			job has ended and every result was sent.
			- `text/event-stream`: the same as server-sent events: a `result` event per request, whose `id` is \
			its position in the stream, then one `end` event carrying the finished job. A client reconnecting \
			with `Last-Event-ID` resumes after that event.""";

	private static final String RESULTS_OK = "A page of results (JSON), or results as they complete (NDJSON, SSE).";

	private final JobService jobs;

	private final JobSubmissions submissions;

	JobController(JobService jobs, JobSubmissions submissions) {
		this.jobs = jobs;
		this.submissions = submissions;
	}

	@Operation(operationId = "submitJob", summary = "Submit a job",
			description = "Queues a batch of HTTP requests. Fanout runs them concurrently, at most `concurrency` at "
					+ "once, each attempt under `timeout`, failed ones retried with backoff, and stores each "
					+ "request's result. Settings left out come from the server's defaults. With an "
					+ "`Idempotency-Key`, a retried submission returns the job created the first time.",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = JSON, schema = @Schema(implementation = JobSubmission.class),
							examples = @ExampleObject(name = "three-cities", summary = "Three cities, concurrently",
									value = Examples.THREE_CITIES))))
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
	@PostMapping(consumes = JSON, produces = JSON)
	Mono<ResponseEntity<JobResponse>> submit(@RequestBody JobSubmission submission,
			@Parameter(description = "Makes retried submissions safe: 1 to 200 printable ASCII characters, unique "
					+ "per tenant. The same key with the same body returns the first job; with a different body, "
					+ "a 422.", example = "3f1c9d52-weather-2026-11-21")
			@RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey,
			@Parameter(hidden = true) Principal principal) {
		return Mono.fromSupplier(() -> this.submissions.toSpec(submission))
			.flatMap((spec) -> this.jobs.submit(principal.getName(), spec, idempotencyKey, null))
			// The scheduler checks the key; the client knows it as a header.
			.onErrorMap(InvalidJobSpecException.class, (ex) -> "idempotencyKey".equals(ex.field())
					? new InvalidRequestException(IDEMPOTENCY_KEY, ex.getMessage()) : ex)
			.map((job) -> ResponseEntity.accepted()
				.location(URI.create(BASE_PATH + "/" + job.id()))
				.body(JobResponse.of(job)));
	}

	@Operation(operationId = "getJob", summary = "Get a job",
			description = "The job's status, progress and timestamps. Poll it, or stream its results instead.")
	@ApiResponse(responseCode = "200", description = "The job.")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}", produces = JSON)
	Mono<JobResponse> get(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(hidden = true) Principal principal) {
		return this.jobs.get(principal.getName(), id).map(JobResponse::of);
	}

	@Operation(operationId = "listJobs", summary = "List jobs",
			description = "The tenant's jobs, newest first, a page at a time. Filters combine: a job is listed if it "
					+ "is in one of the statuses and carries every label.")
	@ApiResponse(responseCode = "200", description = "A page of jobs; `links.next` is the next page.")
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<PageResponses.JobPage> list(
			@Parameter(description = "Only jobs in these statuses (repeat the parameter or separate with commas).")
			@RequestParam(name = "status", required = false) @Nullable List<JobStatus> status,
			@Parameter(description = "Only jobs with this label, as `key:value` (repeat for several).",
					array = @ArraySchema(schema = @Schema(type = "string", example = "team:weather")))
			@RequestParam(name = "label", required = false) @Nullable List<String> label,
			@Parameter(description = "Only jobs submitted by this schedule.")
			@RequestParam(name = "scheduleId", required = false) @Nullable UUID scheduleId,
			@Parameter(description = "Most jobs on the page, 1 to 1000.", schema = @Schema(type = "integer",
					format = "int32", minimum = "1", maximum = "1000", defaultValue = "50"))
			@RequestParam(name = "limit", defaultValue = "" + JobQuery.DEFAULT_LIMIT) int limit,
			@Parameter(description = "`nextCursor` of the previous page.")
			@RequestParam(name = "cursor", required = false) @Nullable String cursor,
			@Parameter(hidden = true) ServerHttpRequest request, @Parameter(hidden = true) Principal principal) {
		List<InvalidField> errors = new ArrayList<>();
		checkLimit(limit, JobQuery.MAX_LIMIT, errors);
		UUID after = null;
		if (cursor != null) {
			try {
				after = UUID.fromString(cursor);
			}
			catch (IllegalArgumentException ex) {
				errors.add(new InvalidField("cursor", "is not a cursor this API issued"));
			}
		}
		JobQuery query = JobQuery.all().withScheduleId(scheduleId).withCursor(after);
		if (status != null) {
			query = query.withStatuses(Set.copyOf(status));
		}
		for (String pair : (label != null) ? label : List.<String>of()) {
			int colon = pair.indexOf(':');
			if (colon < 1) {
				errors.add(new InvalidField("label", "'" + pair + "' is not key:value"));
				continue;
			}
			query = query.withLabel(pair.substring(0, colon), pair.substring(colon + 1));
		}
		if (!errors.isEmpty()) {
			return Mono.error(new InvalidRequestException(errors));
		}
		return this.jobs.list(principal.getName(), query.withLimit(limit)).map((page) -> jobPage(page, request));
	}

	@Operation(operationId = "getResults", summary = RESULTS_SUMMARY, description = RESULTS_DESCRIPTION)
	@ApiResponse(responseCode = "200", description = RESULTS_OK, content = {
			@Content(mediaType = JSON, schema = @Schema(implementation = PageResponses.ResultPage.class)),
			@Content(mediaType = NDJSON, schema = @Schema(implementation = ResultResponse.class)),
			@Content(mediaType = EVENT_STREAM, schema = @Schema(implementation = ResultResponse.class)) })
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}/results", produces = JSON)
	Mono<PageResponses.ResultPage> results(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(description = OUTCOMES)
			@RequestParam(name = "outcome", required = false) @Nullable List<OutcomeKind> outcome,
			@Parameter(description = "Most results on the page, 1 to 1000.", schema = @Schema(type = "integer",
					format = "int32", minimum = "1", maximum = "1000", defaultValue = "100"))
			@RequestParam(name = "limit", defaultValue = "" + ResultQuery.DEFAULT_LIMIT) int limit,
			@Parameter(description = "`nextCursor` of the previous page.")
			@RequestParam(name = "cursor", required = false) @Nullable String cursor,
			@Parameter(description = "Whether to include response bodies.")
			@RequestParam(name = "includeBody", defaultValue = "false") boolean includeBody,
			@Parameter(hidden = true) ServerHttpRequest request, @Parameter(hidden = true) Principal principal) {
		List<InvalidField> errors = new ArrayList<>();
		checkLimit(limit, ResultQuery.MAX_LIMIT, errors);
		Integer after = null;
		if (cursor != null) {
			try {
				after = Integer.valueOf(cursor);
			}
			catch (NumberFormatException ex) {
				// Reported below.
			}
			if (after == null || after < 0) {
				errors.add(new InvalidField("cursor", "is not a cursor this API issued"));
			}
		}
		if (!errors.isEmpty()) {
			return Mono.error(new InvalidRequestException(errors));
		}
		ResultQuery query = ResultQuery.all().withOutcomes(outcomes(outcome)).withCursor(after).withLimit(limit);
		return this.jobs.results(principal.getName(), id, query)
			.map((page) -> resultPage(page, includeBody, request));
	}

	@Operation(operationId = "getResults", summary = RESULTS_SUMMARY, description = RESULTS_DESCRIPTION)
	@ApiResponse(responseCode = "200", description = RESULTS_OK, content = {
			@Content(mediaType = JSON, schema = @Schema(implementation = PageResponses.ResultPage.class)),
			@Content(mediaType = NDJSON, schema = @Schema(implementation = ResultResponse.class)),
			@Content(mediaType = EVENT_STREAM, schema = @Schema(implementation = ResultResponse.class)) })
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}/results", produces = NDJSON)
	Flux<ResultResponse> streamResults(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(description = OUTCOMES)
			@RequestParam(name = "outcome", required = false) @Nullable List<OutcomeKind> outcome,
			@Parameter(description = "Whether to include response bodies.")
			@RequestParam(name = "includeBody", defaultValue = "false") boolean includeBody,
			@Parameter(hidden = true) Principal principal) {
		Set<OutcomeKind> kinds = outcomes(outcome);
		return this.jobs.streamResults(principal.getName(), id)
			.filter((result) -> kinds.isEmpty() || kinds.contains(result.outcome()))
			.map((result) -> ResultResponse.of(result, includeBody));
	}

	@Operation(operationId = "getResults", summary = RESULTS_SUMMARY, description = RESULTS_DESCRIPTION)
	@ApiResponse(responseCode = "200", description = RESULTS_OK, content = {
			@Content(mediaType = JSON, schema = @Schema(implementation = PageResponses.ResultPage.class)),
			@Content(mediaType = NDJSON, schema = @Schema(implementation = ResultResponse.class)),
			@Content(mediaType = EVENT_STREAM, schema = @Schema(implementation = ResultResponse.class)) })
	@ApiResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "406", ref = "#/components/responses/NotAcceptable")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(path = "/{id}/results", produces = EVENT_STREAM)
	Flux<ServerSentEvent<Object>> streamResultEvents(@Parameter(description = JOB_ID) @PathVariable UUID id,
			@Parameter(description = OUTCOMES)
			@RequestParam(name = "outcome", required = false) @Nullable List<OutcomeKind> outcome,
			@Parameter(description = "Whether to include response bodies.")
			@RequestParam(name = "includeBody", defaultValue = "false") boolean includeBody,
			@Parameter(in = ParameterIn.HEADER, description = "The id of the last event received, to resume after it.")
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable Long lastEventId,
			@Parameter(hidden = true) Principal principal) {
		String owner = principal.getName();
		Set<OutcomeKind> kinds = outcomes(outcome);
		long skip = (lastEventId != null) ? Math.max(0, lastEventId) : 0;
		Flux<ServerSentEvent<Object>> results = this.jobs.streamResults(owner, id)
			.filter((result) -> kinds.isEmpty() || kinds.contains(result.outcome()))
			.index()
			.skip(skip)
			.map((indexed) -> resultEvent(indexed.getT1() + 1, indexed.getT2(), includeBody));
		Mono<ServerSentEvent<Object>> end = Mono.defer(() -> this.jobs.get(owner, id))
			.map((job) -> ServerSentEvent.<Object>builder(JobResponse.of(job)).event("end").build());
		return results.concatWith(end);
	}

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
			@Parameter(hidden = true) Principal principal) {
		return this.jobs.cancel(principal.getName(), id)
			.map((job) -> ResponseEntity.accepted().body(JobResponse.of(job)));
	}

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
			@Parameter(hidden = true) Principal principal) {
		return this.jobs.delete(principal.getName(), id).then(Mono.fromSupplier(() -> ResponseEntity.noContent().build()));
	}

	private static ServerSentEvent<Object> resultEvent(long sequence, JobResult result, boolean includeBody) {
		return ServerSentEvent.<Object>builder(ResultResponse.of(result, includeBody))
			.id(Long.toString(sequence))
			.event("result")
			.build();
	}

	private static PageResponses.JobPage jobPage(JobPage page, ServerHttpRequest request) {
		String next = (page.nextCursor() != null) ? page.nextCursor().toString() : null;
		return new PageResponses.JobPage(page.items().stream().map(JobResponse::of).toList(), next,
				PageResponses.PageLinks.of(request, next));
	}

	private static PageResponses.ResultPage resultPage(ResultPage page, boolean includeBody,
			ServerHttpRequest request) {
		String next = (page.nextCursor() != null) ? page.nextCursor().toString() : null;
		return new PageResponses.ResultPage(page.items().stream().map((result) -> ResultResponse.of(result, includeBody))
			.toList(), next, PageResponses.PageLinks.of(request, next));
	}

	private static Set<OutcomeKind> outcomes(@Nullable List<OutcomeKind> outcomes) {
		return (outcomes != null) ? Set.copyOf(outcomes) : Set.of();
	}

	private static void checkLimit(int limit, int max, List<InvalidField> errors) {
		if (limit < 1 || limit > max) {
			errors.add(new InvalidField("limit", "must be between 1 and " + max));
		}
	}

}
