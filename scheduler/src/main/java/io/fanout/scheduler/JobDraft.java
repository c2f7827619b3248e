package io.fanout.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.PolicyOverrides;
import org.jspecify.annotations.Nullable;

/**
 * A job as a caller writes it, before defaults are filled in and anything is checked: the body of
 * {@code POST /api/v1/jobs}, or a schedule's template in configuration. {@link JobSpecFactory} makes a
 * {@link JobSpec} of it, or reports every invalid part.
 *
 * @param name optional name
 * @param labels labels to filter jobs by
 * @param priority higher runs first (0 when left out)
 * @param requests the requests
 * @param policy how the requests are fetched; what it leaves out comes from the server's defaults
 * @param deadline optional limit for the whole job
 * @param callback optional: where the job reports its end
 */
public record JobDraft(@Nullable String name, @Nullable Map<String, String> labels, @Nullable Integer priority,
		@Nullable List<@Nullable Request> requests, PolicyOverrides policy, @Nullable Duration deadline,
		@Nullable CallbackDraft callback) {

	public JobDraft {
		if (policy == null) {
			policy = PolicyOverrides.NONE;
		}
	}

	/** A draft without a callback. */
	public JobDraft(@Nullable String name, @Nullable Map<String, String> labels, @Nullable Integer priority,
			@Nullable List<@Nullable Request> requests, PolicyOverrides policy, @Nullable Duration deadline) {
		this(name, labels, priority, requests, policy, deadline, null);
	}

	/**
	 * A callback as a caller writes it.
	 *
	 * @param url absolute {@code http} or {@code https} URL
	 * @param events the terminal events wanted; all when left out
	 * @param progressEvery a progress event every this many results, if given
	 * @param headers extra headers sent with every delivery
	 */
	public record CallbackDraft(@Nullable String url, @Nullable List<Callback.@Nullable Event> events,
			@Nullable Integer progressEvery, @Nullable Map<String, String> headers) {

		@Override
		public String toString() {
			return "CallbackDraft[" + this.url + ", " + ((this.headers != null) ? this.headers.size() : 0)
					+ " header(s)]";
		}

	}

	/**
	 * One request as a caller writes it.
	 *
	 * @param url absolute {@code http} or {@code https} URL
	 * @param method HTTP method, {@code GET} when left out
	 * @param headers request headers
	 * @param body request body, sent as UTF-8
	 * @param extract named extraction rules
	 */
	public record Request(@Nullable String url, @Nullable String method, @Nullable Map<String, String> headers,
			@Nullable String body, @Nullable Map<String, String> extract) {

		@Override
		public String toString() {
			// Headers and bodies can hold credentials for the upstream: never print them.
			return "Request[" + this.method + " " + this.url + ", " + ((this.headers != null) ? this.headers.size() : 0)
					+ " header(s)]";
		}

	}

}
