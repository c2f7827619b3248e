package io.fanout.api.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.api.openapi.OpenApiFormats;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/jobs}: the requests to run and how. Everything but
 * {@code requests} is optional and defaults to {@code fanout.fetch.default-policy.*}. Validated by
 * {@link JobSubmissions}, which reports every invalid field at once. Also a schedule's template, as
 * sent and as returned: returned, every setting is filled in and requests carry the names of their
 * headers and whether they have a body instead of the values, which a template sent back keeps.
 *
 * @param name optional name
 * @param requests the requests, at least one; results are keyed by position in this list
 * @param concurrency most requests of the job in flight at once
 * @param timeout per-request limit (connect, response, body), ISO-8601
 * @param deadline limit for the whole job from when it starts, ISO-8601
 * @param retry when failed requests are tried again
 * @param failFast whether the first failure cancels the rest
 * @param followRedirects whether 3xx responses are followed
 * @param allowRedirectToHttp whether a redirect from https to plain http is followed
 * @param rateLimit how fast the job's requests may go
 * @param flowControl the budget the job shares with the tenant's other jobs of the same key
 * @param maxBodySize most bytes of a response body read
 * @param priority higher runs first
 * @param labels labels to filter jobs by
 * @param notBefore when the job may start at the earliest
 * @param callback where the job reports its end, signed
 */
@Schema(name = "JobSubmission", description = "A job to run: its requests and how to run them. A schedule's "
		+ "`template` is one too: returned, every setting is filled in and each request names its headers "
		+ "(`headerNames`) and tells whether it has a body (`hasBody`) instead of showing them; sent back so, it keeps "
		+ "them.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSubmission(
		@Schema(description = "Optional name, up to 200 characters.", example = "weather") @Nullable String name,
		@Schema(description = "The requests, at least one (at most `fanout.scheduler.max-requests-per-job`, a million by "
				+ "default, within the body size a JSON submission may have: larger jobs are streamed, "
				+ "`POST /api/v1/jobs/stream`). Results are keyed by position in this list.",
				requiredMode = Schema.RequiredMode.REQUIRED) @Nullable List<@Nullable Request> requests,
		@Schema(description = "Most requests of this job in flight at once, 1 to 10,000.", example = "10",
				minimum = "1", maximum = "10000") @Nullable Integer concurrency,
		@Schema(description = "Limit for one attempt of one request (connect, response and body), ISO-8601.",
				type = "string", pattern = OpenApiFormats.DURATION, example = "PT10S") @Nullable Duration timeout,
		@Schema(description = "Limit for the whole job, counted from when it starts running, ISO-8601. "
				+ "When it passes, unfinished requests are cancelled and the job ends FAILED.",
				type = "string", pattern = OpenApiFormats.DURATION, example = "PT5M") @Nullable Duration deadline,
		@Nullable Retry retry,
		@Schema(description = "Whether the first failed request cancels the rest and fails the job "
				+ "(like `asyncio.gather` without `return_exceptions`).", example = "false") @Nullable Boolean failFast,
		@Schema(description = "Whether 3xx responses with a Location are followed (at most 5 hops).",
				example = "false") @Nullable Boolean followRedirects,
		@Schema(description = "Whether a redirect from `https` to plain `http` is followed; refused by default, "
				+ "since the rest of the exchange would travel in clear text.",
				example = "false") @Nullable Boolean allowRedirectToHttp,
		@Schema(description = "How fast this job's requests may go, all hosts together: `permits` per `period`, "
				+ "spread evenly. Requests wait for their turn (their timeout not counting), within the job's "
				+ "deadline.") @Nullable RateLimit rateLimit,
		@Nullable FlowControl flowControl,
		@Schema(description = "Most bytes of a response body read, default 1 MiB, at most "
				+ "`fanout.fetch.max-body-size` (10 MB by default).", example = "1048576",
				minimum = "0") @Nullable Long maxBodySize,
		@Schema(description = "Higher runs first, -1000 to 1000.", example = "0", minimum = "-1000",
				maximum = "1000") @Nullable Integer priority,
		@Schema(description = "Labels to filter jobs by (keys: letters, digits, `.`, `_`, `/`, `-`; at most 32).",
				example = "{\"team\": \"weather\"}") @Nullable Map<String, String> labels,
		@Schema(description = "When the job may start at the earliest, an ISO-8601 instant: it is QUEUED until "
				+ "then (and counts as queued for the queue's bound and the tenant's queued-jobs quota), then waits "
				+ "for a worker as any job does. At most `fanout.scheduler.max-delay` (30 days by default) ahead; a "
				+ "time already past means at once. The deadline still counts from when the job starts. Not "
				+ "allowed in a schedule's template.", example = "2026-11-21T09:00:00Z") @Nullable Instant notBefore,
		@Nullable Callback callback) {

	/**
	 * Where a job reports its end (and, if asked, its progress): a signed {@code POST} per event.
	 *
	 * @param url absolute {@code http} or {@code https} URL
	 * @param events the terminal events wanted
	 * @param progressEvery a progress event every this many stored results
	 * @param headers extra headers sent with every delivery; never returned or logged
	 * @param headerNames in a schedule's template: the names of its headers; sent, those not in
	 * {@code headers} keep their stored values
	 */
	@Schema(name = "CallbackSubmission", description = "Where the job reports its end: a `POST` per event, signed "
			+ "per the Standard Webhooks specification with the tenant's secret (headers `webhook-id`, "
			+ "`webhook-timestamp`, `webhook-signature`), retried with backoff for `fanout.callbacks.retry-period` "
			+ "(a day by default). The body is `{\"type\": \"job.completed\", \"timestamp\": …, \"data\": <the job>}`. "
			+ "Needs a signing secret configured for the tenant.", requiredProperties = { "url" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Callback(
			@Schema(description = "Absolute http or https URL, at most 2000 characters; reached through the same "
					+ "address rules as a request's.", example = "https://example.com/hooks/fanout") @Nullable String url,
			@Schema(description = "The terminal events to report; all three when left out.") @Nullable List<io.fanout.scheduler.Callback.@Nullable Event> events,
			@Schema(description = "A `job.progress` event each time this many more results are stored (at most one "
					+ "per stored batch); at least 100. None when left out.", example = "1000",
					minimum = "100") @Nullable Integer progressEvery,
			@Schema(description = "Extra headers sent with every delivery, at most 20. Stored only to deliver: never "
					+ "returned by the API nor logged.", example = "{\"Authorization\": \"Bearer receiver-token\"}")
			@Nullable Map<String, String> headers,
			@Schema(description = "In a schedule's template: the names of the callback's headers, returned instead "
					+ "of their values. Sent back on `PUT` with the same callback `url`, the named headers not sent "
					+ "in `headers` keep their stored values.", example = "[\"Authorization\"]")
			@Nullable List<String> headerNames) {

		@Override
		public String toString() {
			// Headers can hold credentials for the receiver: never print them.
			return "Callback[" + this.url + ", " + ((this.headers != null) ? this.headers.size() : 0) + " header(s)]";
		}

	}

	/**
	 * One request of a job.
	 *
	 * @param url absolute {@code http} or {@code https} URL
	 * @param method HTTP method, {@code GET} by default
	 * @param headers request headers; stored only to run the job, never returned or logged
	 * @param body request body, sent as UTF-8
	 * @param extract named extraction rules: JSONPath ({@code $.a.b}) or a CSS selector
	 * @param headerNames in a schedule's template: the names of its headers; sent, those not in
	 * {@code headers} keep their stored values
	 * @param hasBody in a schedule's template: whether it has a body; {@code true} sent without
	 * {@code body}, the stored body
	 */
	@Schema(name = "RequestSubmission", description = "One HTTP request of a job.")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Request(
			@Schema(description = "Absolute http or https URL.", example = "https://wttr.in/paris?format=j1",
					requiredMode = Schema.RequiredMode.REQUIRED) @Nullable String url,
			@Schema(description = "HTTP method.", example = "GET", defaultValue = "GET",
					allowableValues = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) @Nullable String method,
			@Schema(description = "Request headers. Stored only to run the job: never returned by the API nor logged.",
					example = "{\"Accept\": \"application/json\"}") @Nullable Map<String, String> headers,
			@Schema(description = "Request body, sent as UTF-8 text.") @Nullable String body,
			@Schema(description = "Named extraction rules: a rule starting with `$` is JSONPath, anything else a CSS "
					+ "selector giving the first match's text, or with `@attr` its attribute.",
					example = "{\"temperature\": \"$.current_condition.tmp\"}") @Nullable Map<String, String> extract,
			@Schema(description = "Set in a schedule's template as returned: the names of the request's headers, "
					+ "whose values are never returned. Sent back (as when a template read back is sent with `PUT`), "
					+ "each named header that `headers` does not carry keeps its stored value, from the stored "
					+ "request at the same position with the same URL; a name it does not have is a 400. A header "
					+ "in `headers` wins; to drop one, leave its name out.", example = "[\"Authorization\"]")
			@Nullable List<String> headerNames,
			@Schema(description = "Set in a schedule's template as returned: whether the request has a body, which is "
					+ "never returned. `true` sent without `body` keeps the stored body of the request at the same "
					+ "position with the same URL; a stored request without one is a 400. Ignored when `body` is "
					+ "sent.", example = "false") @Nullable Boolean hasBody) {

		@Override
		public String toString() {
			// Headers and bodies can hold credentials for the upstream: never print them.
			return "Request[" + this.method + " " + this.url + ", "
					+ ((this.headers != null) ? this.headers.size() : 0) + " header(s)]";
		}

	}

	/**
	 * When failed requests are tried again: exponential backoff with jitter.
	 *
	 * @param maxAttempts attempts in all, the first included
	 * @param initialBackoff wait before the first retry
	 * @param maxBackoff longest wait between attempts
	 */
	@Schema(name = "RetrySubmission", description = "When failed requests are tried again (timeouts, connection "
			+ "errors, 5xx, 408, 429), with exponential backoff and jitter. Other 4xx are never retried.")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Retry(
			@Schema(description = "Attempts in all, the first included, 1 to 10.", example = "3", minimum = "1",
					maximum = "10") @Nullable Integer maxAttempts,
			@Schema(description = "Wait before the first retry; doubles with each retry.", type = "string",
					pattern = OpenApiFormats.DURATION, example = "PT0.2S") @Nullable Duration initialBackoff,
			@Schema(description = "Longest wait between attempts, Retry-After included.", type = "string",
					pattern = OpenApiFormats.DURATION, example = "PT5S") @Nullable Duration maxBackoff) {
	}

	/**
	 * A rate: {@code permits} requests per {@code period}, spread evenly.
	 *
	 * @param permits requests per period
	 * @param period the period
	 */
	@Schema(name = "RateLimit", description = "At most `permits` requests per `period`, spread evenly (one every "
			+ "period / permits, no bursts).", requiredProperties = { "permits", "period" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record RateLimit(
			@Schema(description = "Requests per period, 1 to 100,000.", example = "10", minimum = "1",
					maximum = "100000") @Nullable Integer permits,
			@Schema(description = "The period, ISO-8601, 1 ms to 1 hour.", type = "string", pattern = OpenApiFormats.DURATION,
					example = "PT1S") @Nullable Duration period) {
	}

	/**
	 * A budget shared by the tenant's jobs that name the same key.
	 *
	 * @param key the key
	 * @param rate how fast the key's requests may go
	 * @param parallelism most of the key's requests in flight at once
	 */
	@Schema(name = "FlowControl", description = "A budget this job shares with the tenant's other jobs that name "
			+ "the same `key`: together their requests go at most at `rate` and at most `parallelism` at once. Keys "
			+ "are the tenant's own. When jobs name one key with different limits, those of the job that started "
			+ "last apply. The rate holds across replicas on PostgreSQL; the parallelism per replica.",
			requiredProperties = { "key" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record FlowControl(
			@Schema(description = "1 to 100 letters, digits and `.` `_` `:` `-`.", example = "partner-api")
			@Nullable String key, @Nullable RateLimit rate,
			@Schema(description = "Most of the key's requests in flight at once, 1 to 10,000.", example = "5",
					minimum = "1", maximum = "10000") @Nullable Integer parallelism) {
	}

	@Override
	public String toString() {
		return "JobSubmission[name=" + this.name + ", requests=" + ((this.requests != null) ? this.requests.size() : 0)
				+ "]";
	}

}
