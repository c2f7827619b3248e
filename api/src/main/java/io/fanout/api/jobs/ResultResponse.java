package io.fanout.api.jobs;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.JobResult;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * What became of one request of a job. Carries the request's method and URL, never its headers.
 *
 * @param index the request's position in the job
 * @param method its HTTP method
 * @param url its URL
 * @param outcome how it ended
 * @param httpStatus the last response's status, if a response came
 * @param attempts requests actually sent
 * @param startedAt when the first attempt started
 * @param durationMs from {@code startedAt} to the end, retries included
 * @param extracted values of the extraction rules; null where a rule matched nothing
 * @param body the body as text, when asked for, textual and within the limit
 * @param bodySize bytes of body received
 * @param error why it failed
 * @param position in live streams only: how many results the job had stored up to this one; pass it as
 * {@code after} to resume after it
 * @param sourceIndex for a result of a rerun: the request's index in the job it reruns
 */
@Schema(name = "Result", description = "What became of one request of a job.", requiredProperties = { "index",
		"method", "url", "outcome", "attempts", "startedAt", "durationMs", "extracted", "bodySize" })
@JsonInclude(JsonInclude.Include.NON_NULL)
record ResultResponse(@Schema(example = "0") int index, @Schema(example = "GET") String method,
		@Schema(example = "http://127.0.0.1:8080/demo/weather/paris") URI url,
		@Schema(example = "SUCCEEDED") OutcomeKind outcome, @Schema(example = "200") @Nullable Integer httpStatus,
		@Schema(description = "Requests actually sent (0 when nothing was sent).", example = "1") int attempts,
		@Schema(example = "2026-11-21T08:00:00.015Z") Instant startedAt,
		@Schema(description = "From startedAt to the end, retries and backoff included.",
				example = "2004") long durationMs,
		@Schema(description = "Values of the extraction rules by name: each the JSON value its rule selected, "
				+ "typically a string, number or boolean (a CSS rule always gives a string; a JSONPath rule that "
				+ "selects an object or an array gives it whole), or null where the rule matched nothing.",
				example = "{\"temperature\": 18, \"condition\": \"Sunny\", \"warning\": null}",
				additionalProperties = Schema.AdditionalPropertiesValue.TRUE) Map<String, @Nullable Object> extracted,
		@Schema(description = "The body as text, only with includeBody=true, when textual and within maxBodySize.")
		@Nullable String body,
		@Schema(description = "Bytes of body received.", example = "42") long bodySize,
		@Nullable Failure error,
		@Schema(description = "In live streams only: the result's place in the order results were stored (1 for the "
				+ "first). Pass the last one received as `after` to resume a stream after it.", example = "7")
		@Nullable Integer position,
		@Schema(description = "For a result of a rerun only: the index of the request in the job it reruns "
				+ "(`rerunOf`), while `index` is its index in the rerun.", example = "3") @Nullable Integer sourceIndex) {

	static ResultResponse of(JobResult result, boolean includeBody) {
		return of(result, includeBody, null);
	}

	static ResultResponse of(JobResult result, boolean includeBody, @Nullable Integer position) {
		FetchError error = result.error();
		return new ResultResponse(result.index(), result.method(), result.url(), result.outcome(), result.httpStatus(),
				result.attempts(), result.startedAt(), result.duration().toMillis(), result.extracted(),
				includeBody ? result.body() : null, result.bodySize(),
				(error != null) ? new Failure(error.kind(), error.message()) : null, position, result.sourceIndex());
	}

	/**
	 * Why a request failed.
	 *
	 * @param kind the finer cause
	 * @param message one line for people
	 */
	@Schema(name = "ResultError", description = "Why a request failed.", requiredProperties = { "kind", "message" })
	record Failure(@Schema(example = "TIMEOUT") ErrorKind kind,
			@Schema(example = "no response within PT10S") String message) {
	}

}
