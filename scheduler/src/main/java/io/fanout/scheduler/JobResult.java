package io.fanout.scheduler;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import org.jspecify.annotations.Nullable;

/**
 * The stored outcome of one request of a job. Keyed by job id and request index, written once.
 *
 * @param jobId the job
 * @param index the request's position in the job
 * @param method the request's HTTP method
 * @param url the request's URL
 * @param outcome how it ended
 * @param httpStatus the last response's status, if a response was received
 * @param attempts attempts made (0 when nothing was sent)
 * @param startedAt when the first attempt started, or when it was given up if never sent
 * @param duration from {@code startedAt} to the end, retries included
 * @param body the body as text, when textual, within the size limit and within the stored-body limit
 * @param bodySize bytes of body received
 * @param extracted values of the extraction rules; a rule that matched nothing maps to null
 * @param error why it failed; null on success
 * @param sourceIndex for a rerun's result: the request's index in the job it reruns; else null
 */
public record JobResult(UUID jobId, int index, String method, URI url, OutcomeKind outcome,
		@Nullable Integer httpStatus, int attempts, Instant startedAt, Duration duration, @Nullable String body,
		long bodySize, Map<String, @Nullable Object> extracted, @Nullable FetchError error,
		@Nullable Integer sourceIndex) {

	public JobResult {
		extracted = (extracted == null || extracted.isEmpty()) ? Map.of()
				: Collections.unmodifiableMap(new LinkedHashMap<>(extracted));
	}

	/** A result as stored: its source index, for a rerun, is the job's and added when it is read. */
	public JobResult(UUID jobId, int index, String method, URI url, OutcomeKind outcome, @Nullable Integer httpStatus,
			int attempts, Instant startedAt, Duration duration, @Nullable String body, long bodySize,
			Map<String, @Nullable Object> extracted, @Nullable FetchError error) {
		this(jobId, index, method, url, outcome, httpStatus, attempts, startedAt, duration, body, bodySize, extracted,
				error, null);
	}

	/** This result of a rerun, whose request was at {@code sourceIndex} in the job it reruns. */
	public JobResult withSourceIndex(@Nullable Integer sourceIndex) {
		return new JobResult(this.jobId, this.index, this.method, this.url, this.outcome, this.httpStatus,
				this.attempts, this.startedAt, this.duration, this.body, this.bodySize, this.extracted, this.error,
				sourceIndex);
	}

	/** The result of {@code request}, the job's request at {@code outcome.index()}. */
	public static JobResult of(UUID jobId, FetchRequest request, FetchOutcome outcome) {
		return of(jobId, request, outcome, Long.MAX_VALUE);
	}

	/**
	 * The result of {@code request}, its body kept only if it is at most {@code maxStoredBody} bytes:
	 * a larger one is left out ({@code bodySize} still says how large it was).
	 */
	public static JobResult of(UUID jobId, FetchRequest request, FetchOutcome outcome, long maxStoredBody) {
		String body = (outcome.bodySize() <= maxStoredBody) ? outcome.body() : null;
		return new JobResult(jobId, outcome.index(), request.method(), request.url(), outcome.kind(),
				outcome.httpStatus(), outcome.attempts(), outcome.startedAt(), outcome.duration(), body,
				outcome.bodySize(), outcome.extracted(), outcome.error());
	}

	/** Whether the request succeeded. */
	public boolean succeeded() {
		return this.outcome.isSuccess();
	}

	@Override
	public String toString() {
		// Bodies can be large and may echo credentials: they are left out.
		return "JobResult[jobId=" + this.jobId + ", index=" + this.index + ", " + this.method + " " + this.url + ", "
				+ this.outcome + ((this.httpStatus != null) ? " " + this.httpStatus : "") + ", attempts="
				+ this.attempts + ((this.error != null) ? ", error=" + this.error : "") + "]";
	}

}
