package io.fanout.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.PolicyOverrides;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * A schedule declared in configuration, under {@code fanout.scheduler.schedules.<name>}: the name is
 * the schedule's. Every replica upserts it at startup: created if its owner has no schedule of that
 * name, replaced if the declaration changed since it was last applied, left alone otherwise (so that
 * a pause through the API survives restarts until the declaration changes).
 *
 * @param owner the tenant it belongs to and that owns its jobs
 * @param trigger when it fires: {@code cron} (with {@code timezone}) or {@code fixed-rate}
 * @param template the job it submits; settings left out come from {@code fanout.fetch.default-policy}
 * @param overlap what to do when the previous job is still going
 * @param enabled whether it fires
 * @param jitter optional random delay of each fire
 */
public record ScheduleDeclaration(@Nullable String owner, @Nullable Trigger trigger, @Nullable Template template,
		@DefaultValue("SKIP") OverlapPolicy overlap, @DefaultValue("true") boolean enabled,
		@Nullable Duration jitter) {

	/** The declaration as a draft named {@code name}, for {@link ScheduleSpecFactory}. */
	public ScheduleDraft toDraft(String name) {
		Trigger when = this.trigger;
		return new ScheduleDraft(name,
				(when != null) ? new ScheduleDraft.Trigger(when.cron(), when.timezone(), when.fixedRate()) : null,
				(this.template != null) ? this.template.toDraft() : null, this.overlap, this.enabled, this.jitter);
	}

	/**
	 * When a declared schedule fires: a cron expression or a fixed rate.
	 *
	 * @param cron six-field Spring cron expression
	 * @param timezone the zone the cron expression is read in ({@code UTC} when left out)
	 * @param fixedRate time between fires
	 */
	public record Trigger(@Nullable String cron, @Nullable String timezone, @Nullable Duration fixedRate) {
	}

	/**
	 * The job a declared schedule submits, as {@code POST /api/v1/jobs} takes it.
	 *
	 * @param name optional job name (the schedule's by default)
	 * @param labels labels of the jobs
	 * @param priority higher runs first
	 * @param requests the requests, at least one
	 * @param concurrency requests in flight at once
	 * @param timeout limit for one attempt of one request
	 * @param deadline limit for the whole job
	 * @param retry when failed requests are tried again
	 * @param failFast whether the first failure cancels the rest
	 * @param followRedirects whether redirects are followed
	 * @param maxBodySize most bytes of a response body read
	 * @param allowRedirectToHttp whether a redirect from https to plain http is followed
	 * @param rateLimit how fast the job's requests may go ({@code permits} per {@code period})
	 * @param flowControl the budget shared with the owner's other jobs of the same {@code key}
	 */
	public record Template(@Nullable String name, @DefaultValue Map<String, String> labels, int priority,
			@DefaultValue List<Request> requests, @Nullable Integer concurrency, @Nullable Duration timeout,
			@Nullable Duration deadline, @Nullable Retry retry, boolean failFast, boolean followRedirects,
			@Nullable DataSize maxBodySize, boolean allowRedirectToHttp, PolicyOverrides.@Nullable RateLimit rateLimit,
			PolicyOverrides.@Nullable Flow flowControl) {

		JobDraft toDraft() {
			Retry again = this.retry;
			PolicyOverrides policy = new PolicyOverrides(this.concurrency, this.timeout,
					(again != null) ? new PolicyOverrides.Retry(again.maxAttempts(), again.initialBackoff(),
							again.maxBackoff()) : null,
					this.failFast, this.followRedirects,
					(this.maxBodySize != null) ? this.maxBodySize.toBytes() : null, this.allowRedirectToHttp,
					this.rateLimit, this.flowControl);
			return new JobDraft(this.name, this.labels, this.priority,
					this.requests.stream()
						.map((request) -> new JobDraft.Request(request.url(), request.method(), request.headers(),
								request.body(), request.extract()))
						.toList(),
					policy, this.deadline);
		}

	}

	/**
	 * One request of a declared schedule's job.
	 *
	 * @param url absolute http or https URL
	 * @param method HTTP method
	 * @param headers request headers
	 * @param body request body
	 * @param extract named extraction rules (JSONPath or CSS selector)
	 */
	public record Request(@Nullable String url, @DefaultValue("GET") String method,
			@DefaultValue Map<String, String> headers, @Nullable String body,
			@DefaultValue Map<String, String> extract) {

		@Override
		public String toString() {
			// Headers and bodies can hold credentials for the upstream.
			return "Request[" + this.method + " " + this.url + ", " + this.headers.size() + " header(s)]";
		}

	}

	/**
	 * Retries of a declared schedule's requests.
	 *
	 * @param maxAttempts attempts in all, the first included
	 * @param initialBackoff wait before the first retry
	 * @param maxBackoff longest wait between attempts
	 */
	public record Retry(@Nullable Integer maxAttempts, @Nullable Duration initialBackoff,
			@Nullable Duration maxBackoff) {
	}

}
