package io.fanout.fetch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * How a batch is fetched.
 *
 * @param concurrency most requests of the batch in flight at once
 * @param timeout limit for one attempt: connect, response and body
 * @param retry when failed requests are tried again
 * @param failFast whether the first failure cancels the rest of the batch
 * @param maxBodySize most bytes of a response body that are read
 * @param followRedirects whether 3xx responses with a {@code Location} are followed
 * @param maxRedirects most redirect hops followed
 * @param allowRedirectToHttp whether a redirect from {@code https} to plain {@code http} is followed
 * (it sends the rest of the exchange, and whatever the first hop carried, in clear text)
 * @param rateLimit how fast the batch's requests may go, all hosts together; null for no rate
 * @param flowControl the budget this batch shares with others of its tenant that name the same key;
 * null for none
 */
public record FetchPolicy(int concurrency, Duration timeout, RetryPolicy retry, boolean failFast, long maxBodySize,
		boolean followRedirects, int maxRedirects, boolean allowRedirectToHttp, @Nullable Rate rateLimit,
		@Nullable FlowControl flowControl) {

	/** Most redirect hops a policy may follow. */
	public static final int MAX_REDIRECTS = 5;

	/** Most requests of one batch in flight at once. */
	public static final int MAX_CONCURRENCY = 10_000;

	/** Sensible defaults: concurrency 10, 10 s timeout, 3 attempts, 1 MiB bodies, no redirects. */
	public static final FetchPolicy DEFAULT = new FetchPolicy(10, Duration.ofSeconds(10),
			RetryPolicy.of(3, Duration.ofMillis(200), Duration.ofSeconds(5)), false, 1024 * 1024, false, MAX_REDIRECTS,
			false, null, null);

	public FetchPolicy {
		List<Violation> violations = new ArrayList<>();
		check(concurrency, timeout, maxBodySize, maxRedirects, violations);
		if (!violations.isEmpty()) {
			throw new InvalidFetchRequestException(violations);
		}
		if (retry == null) {
			retry = RetryPolicy.NONE;
		}
	}

	/**
	 * This policy with what a submission gives in place of the settings it names, checked against
	 * the server's limits.
	 * @throws InvalidFetchRequestException naming every invalid setting
	 */
	public FetchPolicy apply(PolicyOverrides overrides, PolicyLimits limits) {
		List<Violation> violations = new ArrayList<>();
		RetryPolicy retry = this.retry.apply(overrides.retry(), violations);
		if (retry.maxBackoff().compareTo(limits.maxBackoff()) > 0) {
			violations.add(new Violation("retry.maxBackoff", "maxBackoff must be at most " + limits.maxBackoff()));
		}
		long maxBodySize = (overrides.maxBodySize() != null) ? overrides.maxBodySize() : this.maxBodySize;
		if (maxBodySize < 0 || maxBodySize > limits.maxBodySize()) {
			violations.add(new Violation("maxBodySize",
					"maxBodySize must be between 0 and " + limits.maxBodySize() + " bytes"));
			maxBodySize = this.maxBodySize;
		}
		int concurrency = (overrides.concurrency() != null) ? overrides.concurrency() : this.concurrency;
		Duration timeout = (overrides.timeout() != null) ? overrides.timeout() : this.timeout;
		check(concurrency, timeout, maxBodySize, this.maxRedirects, violations);
		if (timeout != null && timeout.compareTo(limits.maxTimeout()) > 0) {
			violations.add(new Violation("timeout", "timeout must be at most " + limits.maxTimeout()));
		}
		Rate rateLimit = (overrides.rateLimit() != null) ? rate("rateLimit", overrides.rateLimit(), violations)
				: this.rateLimit;
		FlowControl flow = (overrides.flowControl() != null) ? flow(overrides.flowControl(), violations)
				: this.flowControl;
		if (!violations.isEmpty()) {
			throw new InvalidFetchRequestException(violations);
		}
		boolean failFast = (overrides.failFast() != null) ? overrides.failFast() : this.failFast;
		boolean follow = (overrides.followRedirects() != null) ? overrides.followRedirects() : this.followRedirects;
		boolean toHttp = (overrides.allowRedirectToHttp() != null) ? overrides.allowRedirectToHttp()
				: this.allowRedirectToHttp;
		return new FetchPolicy(concurrency, timeout, retry, failFast, maxBodySize, follow, this.maxRedirects, toHttp,
				rateLimit, flow);
	}

	private static @Nullable Rate rate(String path, PolicyOverrides.RateLimit given, List<Violation> violations) {
		if (given.permits() == null || given.period() == null) {
			violations.add(new Violation(path, "a rate needs permits and a period"));
			return null;
		}
		try {
			return new Rate(given.permits(), given.period());
		}
		catch (InvalidFetchRequestException ex) {
			ex.violations().forEach((violation) -> violations.add(violation.under(path)));
			return null;
		}
	}

	private static @Nullable FlowControl flow(PolicyOverrides.Flow given, List<Violation> violations) {
		int before = violations.size();
		Rate rate = (given.rate() != null) ? rate("flowControl.rate", given.rate(), violations) : null;
		if (violations.size() > before) {
			return null;
		}
		try {
			return new FlowControl(given.key(), rate, given.parallelism());
		}
		catch (InvalidFetchRequestException ex) {
			violations.addAll(ex.violations());
			return null;
		}
	}

	private static void check(int concurrency, Duration timeout, long maxBodySize, int maxRedirects,
			List<Violation> violations) {
		if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
			violations.add(new Violation("concurrency", "concurrency must be between 1 and " + MAX_CONCURRENCY));
		}
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			violations.add(new Violation("timeout", "timeout must be positive"));
		}
		if (maxBodySize < 0) {
			violations.add(new Violation("maxBodySize", "maxBodySize must not be negative"));
		}
		if (maxRedirects < 0 || maxRedirects > MAX_REDIRECTS) {
			violations.add(new Violation("maxRedirects", "maxRedirects must be between 0 and " + MAX_REDIRECTS));
		}
	}

	public FetchPolicy withConcurrency(int concurrency) {
		return new FetchPolicy(concurrency, this.timeout, this.retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp,
				this.rateLimit, this.flowControl);
	}

	public FetchPolicy withTimeout(Duration timeout) {
		return new FetchPolicy(this.concurrency, timeout, this.retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp,
				this.rateLimit, this.flowControl);
	}

	public FetchPolicy withRetry(RetryPolicy retry) {
		return new FetchPolicy(this.concurrency, this.timeout, retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp,
				this.rateLimit, this.flowControl);
	}

	public FetchPolicy withFailFast(boolean failFast) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp,
				this.rateLimit, this.flowControl);
	}

	public FetchPolicy withMaxBodySize(long maxBodySize) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, this.failFast, maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp,
				this.rateLimit, this.flowControl);
	}

	public FetchPolicy withRedirects(boolean follow, int maxRedirects) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, this.failFast, this.maxBodySize, follow,
				maxRedirects, this.allowRedirectToHttp, this.rateLimit, this.flowControl);
	}

	public FetchPolicy withRedirectToHttp(boolean allow) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, allow, this.rateLimit, this.flowControl);
	}

	public FetchPolicy withRateLimit(@Nullable Rate rateLimit) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp, rateLimit, this.flowControl);
	}

	public FetchPolicy withFlowControl(@Nullable FlowControl flowControl) {
		return new FetchPolicy(this.concurrency, this.timeout, this.retry, this.failFast, this.maxBodySize,
				this.followRedirects, this.maxRedirects, this.allowRedirectToHttp, this.rateLimit, flowControl);
	}

}
