package io.fanout.api.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.OutcomeKind;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /api/v1/jobs/{id}/rerun}, all of it optional: which requests to run again,
 * by the outcome of their results, and what to change. The policy settings mean what they mean in a
 * {@link JobSubmission} and replace the original job's; everything left out is the original's.
 *
 * @param outcomes the outcomes whose requests run again; every one but {@code SUCCEEDED} when left out
 * @param name replaces the original's name
 * @param labels replace the original's labels
 * @param priority replaces the original's priority
 * @param notBefore when the rerun may start at the earliest
 * @param deadline replaces the original's deadline
 * @param concurrency replaces the original's
 * @param timeout replaces the original's
 * @param retry replaces the original's, setting by setting
 * @param failFast replaces the original's
 * @param followRedirects replaces the original's
 * @param allowRedirectToHttp replaces the original's
 * @param rateLimit replaces the original's
 * @param flowControl replaces the original's
 * @param maxBodySize replaces the original's
 */
@Schema(name = "RerunSubmission", description = "Which requests of a finished job to run again, and what to change. "
		+ "Every field is optional; what is left out is the original job's. Policy settings are checked as in a "
		+ "submission.")
public record RerunSubmission(
		@ArraySchema(arraySchema = @Schema(description = "Requests whose result has one of these outcomes run again. "
				+ "Default: every outcome but SUCCEEDED.", example = "[\"TIMED_OUT\", \"CONNECTION_ERROR\"]"))
		@Nullable List<OutcomeKind> outcomes,
		@Schema(description = "Replaces the original's name.", example = "weather, again") @Nullable String name,
		@Schema(description = "Replace the original's labels.", example = "{\"team\": \"weather\"}")
		@Nullable Map<String, String> labels,
		@Schema(description = "Replaces the original's priority, -1000 to 1000.", example = "5", minimum = "-1000",
				maximum = "1000") @Nullable Integer priority,
		@Schema(description = "When the rerun may start at the earliest, as `notBefore` of a submission.",
				example = "2026-11-21T09:00:00Z") @Nullable Instant notBefore,
		@Schema(description = "Replaces the original's deadline, ISO-8601.", type = "string", format = "duration",
				example = "PT5M") @Nullable Duration deadline,
		@Schema(description = "Replaces the original's concurrency, 1 to 10,000.", example = "2", minimum = "1",
				maximum = "10000") @Nullable Integer concurrency,
		@Schema(description = "Replaces the original's per-request timeout, ISO-8601.", type = "string",
				format = "duration", example = "PT30S") @Nullable Duration timeout,
		JobSubmission.@Nullable Retry retry,
		@Schema(description = "Replaces the original's failFast.", example = "false") @Nullable Boolean failFast,
		@Schema(description = "Replaces the original's followRedirects.", example = "false") @Nullable Boolean followRedirects,
		@Schema(description = "Replaces the original's allowRedirectToHttp.",
				example = "false") @Nullable Boolean allowRedirectToHttp,
		JobSubmission.@Nullable RateLimit rateLimit, JobSubmission.@Nullable FlowControl flowControl,
		@Schema(description = "Replaces the original's maxBodySize.", example = "1048576",
				minimum = "0") @Nullable Long maxBodySize) {

	/** What a rerun without a body asks for: every request that did not succeed, as it ran. */
	static final RerunSubmission NONE = new RerunSubmission(null, null, null, null, null, null, null, null, null, null,
			null, null, null, null, null);

}
