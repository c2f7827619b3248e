package io.fanout.fetch;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The settings a submission gives for how its requests are fetched; what it leaves out (null) comes
 * from a default policy. {@link FetchPolicy#apply} is the one place where the two are merged and the
 * result is checked.
 *
 * @param concurrency most requests in flight at once
 * @param timeout limit for one attempt of one request
 * @param retry when failed requests are tried again
 * @param failFast whether the first failure cancels the rest
 * @param followRedirects whether 3xx responses with a {@code Location} are followed
 * @param maxBodySize most bytes of a response body read
 * @param allowRedirectToHttp whether a redirect from {@code https} to {@code http} is followed
 * @param rateLimit how fast the batch's requests may go
 * @param flowControl the budget shared with the tenant's other batches of the same key
 */
public record PolicyOverrides(@Nullable Integer concurrency, @Nullable Duration timeout, @Nullable Retry retry,
		@Nullable Boolean failFast, @Nullable Boolean followRedirects, @Nullable Long maxBodySize,
		@Nullable Boolean allowRedirectToHttp, @Nullable RateLimit rateLimit, @Nullable Flow flowControl) {

	/** Nothing given: the defaults as they are. */
	public static final PolicyOverrides NONE = new PolicyOverrides(null, null, null, null, null, null, null, null,
			null);

	/**
	 * A rate a submission gives: {@code permits} per {@code period}, both required.
	 *
	 * @param permits requests per period
	 * @param period the period
	 */
	public record RateLimit(@Nullable Integer permits, @Nullable Duration period) {
	}

	/**
	 * The flow control a submission gives.
	 *
	 * @param key the key shared with other batches of the tenant
	 * @param rate how fast the key's requests may go
	 * @param parallelism most of the key's requests in flight at once
	 */
	public record Flow(@Nullable String key, @Nullable RateLimit rate, @Nullable Integer parallelism) {
	}

	/**
	 * The retry settings a submission gives.
	 *
	 * @param maxAttempts attempts in all, the first included
	 * @param initialBackoff wait before the first retry
	 * @param maxBackoff longest wait between attempts; left out while {@code initialBackoff} is raised
	 * above the default's cap, it follows {@code initialBackoff}
	 */
	public record Retry(@Nullable Integer maxAttempts, @Nullable Duration initialBackoff,
			@Nullable Duration maxBackoff) {
	}

}
