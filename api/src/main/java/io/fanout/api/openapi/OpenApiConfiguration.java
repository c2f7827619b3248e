package io.fanout.api.openapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fanout.api.problems.ProblemType;
import io.fanout.api.security.SecurityConfiguration;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.UUIDSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The parts of the OpenAPI document that are not on the controllers: the API's description, its two
 * security schemes (either one authenticates), the RFC 9457 {@code Problem} schema, and one shared
 * response per kind of error, which operations reference by name.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	static final String API_KEY_SCHEME = "apiKey";

	static final String BEARER_SCHEME = "bearerJwt";

	/**
	 * The first server: generators take it as the clients' default base URL, and treat a relative one
	 * ({@code /}) as none, so it is absolute.
	 */
	static final String EMBEDDED_DEFAULT_URL = "http://127.0.0.1:8080";

	private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private static final String PROBLEM_REF = "#/components/schemas/Problem";

	@Bean
	OpenAPI fanoutOpenApi() {
		Components components = new Components()
			.addSecuritySchemes(API_KEY_SCHEME, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
				.in(SecurityScheme.In.HEADER)
				.name(SecurityConfiguration.API_KEY_HEADER)
				.description("An API key from `fanout.security.api-keys.<tenant>`; it names the tenant."))
			.addSecuritySchemes(BEARER_SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
				.scheme("bearer")
				.bearerFormat("JWT")
				.description("A JWT, when the server is configured as an OAuth2 resource server; the claim "
						+ "`fanout.security.jwt.tenant-claim` (default `sub`) names the tenant."))
			.addSchemas("Problem", problemSchema())
			.addSchemas("InvalidField", invalidFieldSchema());
		problemResponses().forEach(components::addResponses);
		return new OpenAPI().info(new Info().title("Fanout API")
			.version("v1")
			.description("""
					Fanout runs batches of HTTP requests concurrently — bounded by a concurrency cap, each \
					request under a timeout, failed requests retried with backoff — and stores and serves each \
					request's result, also as a live stream. Jobs can be cancelled while they run. Schedules \
					submit a job periodically, on a cron expression or at a fixed rate.

					Every error is an RFC 9457 Problem Details document (`application/problem+json`) whose \
					`type` names the kind of error."""))
			.servers(List.of(new Server().url(EMBEDDED_DEFAULT_URL)
				.description("Fanout with its embedded defaults (port 8080, the demo profile's 127.0.0.1): replace it "
						+ "with your deployment's URL. Clients generated from this document take it as their base URL."),
					new Server().url("/")
						.description("The Fanout instance serving this document (what Swagger UI tries requests on, "
								+ "when it is chosen).")))
			.components(components)
			.addSecurityItem(new SecurityRequirement().addList(API_KEY_SCHEME))
			.addSecurityItem(new SecurityRequirement().addList(BEARER_SCHEME));
	}

	/**
	 * Every operation that changes something answers 403 to a viewer key: documented once here rather
	 * than on each operation, so that no new operation can miss it.
	 */
	@Bean
	OpenApiCustomizer forbiddenForViewers() {
		return (openApi) -> openApi.getPaths()
			.values()
			.forEach((path) -> path.readOperationsMap().forEach((method, operation) -> {
				if (method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD
						&& operation.getResponses() != null) {
					operation.getResponses()
						.addApiResponse("403", new ApiResponse().$ref("#/components/responses/Forbidden"));
				}
			}));
	}

	private static Schema<?> problemSchema() {
		return new ObjectSchema().description("An error, as RFC 9457 Problem Details.")
			.addProperty("type", new StringSchema().format("uri")
				.description("Names the kind of error; stable. One of the `" + ProblemType.BASE_URI + "…` types.")
				.example(ProblemType.VALIDATION.uri().toString()))
			.addProperty("title", new StringSchema().description("Short summary of the kind of error.")
				.example(ProblemType.VALIDATION.title()))
			.addProperty("status", new IntegerSchema().description("The HTTP status.").example(400))
			.addProperty("detail", new StringSchema().description("What went wrong this time, for people.")
				.example("requests[3].url: only absolute http and https URLs are allowed"))
			.addProperty("instance", new StringSchema().format("uri-reference")
				.description("The request path.")
				.example("/api/v1/jobs"))
			.addProperty("errors", new ArraySchema().items(new Schema<>().$ref("#/components/schemas/InvalidField"))
				.description("For `validation` problems: every invalid field."))
			.addProperty("jobStatus", new StringSchema()
				.description("For `job-state` problems: the job's status; for `schedule-overlap` problems: the status "
						+ "of the job still going.")
				.example("COMPLETED"))
			.addProperty("jobId", new UUIDSchema()
				.description("For `idempotency-conflict` problems: the job created with the key; for "
						+ "`schedule-overlap` problems: the job still going."))
			.addProperty("scheduleId", new UUIDSchema()
				.description("For `schedule-name-taken` problems: the schedule that has the name."))
			.addProperty("quota", new StringSchema()
				._enum(List.of("QUEUED_JOBS", "SCHEDULES", "STORED_BYTES"))
				.description("For `quota-exceeded` problems: the tenant's quota that refused the request."))
			.addProperty("limit", new IntegerSchema().format("int64")
				.description("For `quota-exceeded` problems: the tenant's quota (jobs, schedules or bytes)."))
			.addProperty("usage", new IntegerSchema().format("int64")
				.description("For `quota-exceeded` problems: what the tenant uses of it."))
			.required(List.of("type", "title", "status"));
	}

	private static Schema<?> invalidFieldSchema() {
		return new ObjectSchema().description("One invalid part of the request.")
			.addProperty("field", new StringSchema()
				.description("JSON path into the body, query parameter or header name.")
				.example("requests[3].url"))
			.addProperty("message", new StringSchema().description("What is wrong with it.")
				.example("only absolute http and https URLs are allowed"))
			.required(List.of("field", "message"));
	}

	private static Map<String, ApiResponse> problemResponses() {
		Map<String, ApiResponse> responses = new LinkedHashMap<>();
		ApiResponse badRequest = problemResponse(ProblemType.VALIDATION,
				"Invalid input: `validation` (with `errors` naming each field by path) or `malformed-json`.",
				"requests[3].url: only absolute http and https URLs are allowed", Map.of("errors",
						List.of(Map.of("field", "requests[3].url", "message",
								"only absolute http and https URLs are allowed"))));
		badRequest.getContent()
			.get(PROBLEM_JSON)
			.addExamples("malformed-json", example(ProblemType.MALFORMED_JSON, "The body is not valid JSON (line 1, "
					+ "column 15).", Map.of()));
		responses.put("BadRequest", badRequest);
		responses.put("Unauthorized", problemResponse(ProblemType.UNAUTHORIZED,
				"Missing or invalid credentials.", "Authentication is required: send an API key in the "
						+ SecurityConfiguration.API_KEY_HEADER + " header.", Map.of()));
		responses.put("Forbidden", problemResponse(ProblemType.FORBIDDEN,
				"The credentials are a viewer key (`fanout.security.viewer-keys`): it may read, not change anything.",
				"This key is read-only: it may not change anything.", Map.of()));
		responses.put("NotFound", problemResponse(ProblemType.NOT_FOUND,
				"No such job or schedule for this tenant (another tenant's is not found either).",
				"job 019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31 not found", Map.of()));
		responses.put("NotAcceptable", problemResponse(ProblemType.NOT_ACCEPTABLE,
				"None of the media types in Accept can be produced.", "None of the accepted media types can be "
						+ "produced; this resource produces application/json, application/x-ndjson, text/event-stream.",
				Map.of()));
		responses.put("JobStateConflict", problemResponse(ProblemType.JOB_STATE,
				"The job's status does not allow this.",
				"job 019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31 already ended COMPLETED; it cannot be cancelled",
				Map.of("jobStatus", "COMPLETED")));
		ApiResponse rerunConflict = problemResponse(ProblemType.JOB_STATE,
				"The job has not finished (`job-state`), or no request's result has one of the outcomes asked for "
						+ "(`nothing-to-rerun`).",
				"job 019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31 is RUNNING; only a finished job can be rerun",
				Map.of("jobStatus", "RUNNING"));
		rerunConflict.getContent()
			.get(PROBLEM_JSON)
			.addExamples(slug(ProblemType.NOTHING_TO_RERUN), example(ProblemType.NOTHING_TO_RERUN,
					"job 019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31 has no result with outcome TIMED_OUT; there is nothing "
							+ "to rerun",
					Map.of()));
		responses.put("RerunConflict", rerunConflict);
		responses.put("ContentTooLarge", problemResponse(ProblemType.CONTENT_TOO_LARGE,
				"The request body is larger than the server accepts.",
				"The request body is larger than this server accepts.", Map.of()));
		responses.put("UnsupportedMediaType", problemResponse(ProblemType.UNSUPPORTED_MEDIA_TYPE,
				"The body is not application/json.",
				"Content-Type 'text/plain' is not supported; send application/json.", Map.of()));
		responses.put("IdempotencyConflict", problemResponse(ProblemType.IDEMPOTENCY_CONFLICT,
				"The Idempotency-Key was already used for a different submission.",
				"idempotency key 'k1' was already used for a different job (019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31)",
				Map.of("jobId", "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31")));
		responses.put("ScheduleNameConflict", problemResponse(ProblemType.SCHEDULE_NAME_TAKEN,
				"The tenant already has a schedule of this name.",
				"a schedule named 'weather' already exists (019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a)",
				Map.of("scheduleId", "019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a")));
		responses.put("ScheduleOverlap", problemResponse(ProblemType.SCHEDULE_OVERLAP,
				"The schedule's previous job is still going and its overlap policy is SKIP: nothing was launched.",
				"the previous run of schedule 019a7c31-0d42-7e10-8b3a-5f6e7d8c9b0a (job "
						+ "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31) is still RUNNING and its overlap policy is SKIP",
				Map.of("jobId", "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31", "jobStatus", "RUNNING")));
		ApiResponse queueFull = problemResponse(ProblemType.QUEUE_FULL, "Too many jobs are waiting (`queue-full`), "
				+ "or the tenant is at its queued-jobs or stored-bytes quota (`quota-exceeded`, naming it in `quota`); "
				+ "retry later.", "The job queue is full; try again in 5 s.", Map.of());
		queueFull.getContent()
			.get(PROBLEM_JSON)
			.addExamples(slug(ProblemType.QUOTA_EXCEEDED), example(ProblemType.QUOTA_EXCEEDED,
					"The tenant is at its queued-jobs quota (500 of 500); try again in 5 s.",
					Map.of("quota", "QUEUED_JOBS", "limit", 500, "usage", 500)));
		queueFull.addHeaderObject("Retry-After", retryAfter());
		responses.put("QueueFull", queueFull);
		ApiResponse tooManyStreams = problemResponse(ProblemType.TOO_MANY_STREAMS,
				"The tenant has as many result streams open as it may (NDJSON and SSE only); close one or retry later.",
				"This tenant already has 20 result streams open, the most allowed; close one or retry later.",
				Map.of("limit", 20));
		tooManyStreams.addHeaderObject("Retry-After",
				new Header().description("Seconds to wait before opening a stream again.")
					.schema(new IntegerSchema().example(5)));
		responses.put("TooManyStreams", tooManyStreams);
		ApiResponse quotaExceeded = problemResponse(ProblemType.QUOTA_EXCEEDED,
				"The tenant is at its schedules quota; delete a schedule first.",
				"The tenant is at its schedules quota (100 of 100); try again in 5 s.",
				Map.of("quota", "SCHEDULES", "limit", 100, "usage", 100));
		quotaExceeded.addHeaderObject("Retry-After", retryAfter());
		responses.put("QuotaExceeded", quotaExceeded);
		responses.put("InternalError", problemResponse(ProblemType.INTERNAL, "Fanout failed; the cause is in its log.",
				"Fanout failed to handle the request; the cause is in its log.", Map.of()));
		return responses;
	}

	private static Header retryAfter() {
		return new Header().description("Seconds to wait before submitting again.")
			.schema(new IntegerSchema().example(5));
	}

	private static ApiResponse problemResponse(ProblemType type, String description, String detail,
			Map<String, Object> extra) {
		MediaType problem = new MediaType().schema(new Schema<>().$ref(PROBLEM_REF))
			.addExamples(slug(type), example(type, detail, extra));
		return new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON, problem));
	}

	private static Example example(ProblemType type, String detail, Map<String, Object> extra) {
		Map<String, Object> value = new LinkedHashMap<>();
		value.put("type", type.uri().toString());
		value.put("title", type.title());
		value.put("status", type.status().value());
		value.put("detail", detail);
		value.put("instance", "/api/v1/jobs");
		value.putAll(extra);
		return new Example().summary(type.title()).value(value);
	}

	private static String slug(ProblemType type) {
		return type.uri().toString().substring(ProblemType.BASE_URI.length());
	}

}
