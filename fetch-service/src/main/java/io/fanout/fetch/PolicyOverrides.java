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
 */
public record PolicyOverrides(@Nullable Integer concurrency, @Nullable Duration timeout, @Nullable Retry retry,
		@Nullable Boolean failFast, @Nullable Boolean followRedirects, @Nullable Long maxBodySize,
		@Nullable Boolean allowRedirectToHttp) {

	/** Nothing given: the defaults as they are. */
	public static final PolicyOverrides NONE = new PolicyOverrides(null, null, null, null, null, null, null);

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
