package io.fanout.fetch;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A budget that batches share by naming the same key: their requests together go at most at
 * {@code rate}, and at most {@code parallelism} at once. Keys belong to a tenant ({@link FetchScope}):
 * two tenants naming the same key share nothing. When batches name one key with different limits,
 * those of the batch that started last apply.
 *
 * @param key the key, 1 to 100 letters, digits and {@code . _ : -}
 * @param rate how fast the key's requests may go; null for no rate
 * @param parallelism most of the key's requests in flight at once; null for no bound
 */
public record FlowControl(String key, @Nullable Rate rate, @Nullable Integer parallelism) {

	private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

	public FlowControl {
		if (key == null || !KEY.matcher(key).matches()) {
			throw new InvalidFetchRequestException("flowControl.key",
					"a flow key is 1 to 100 letters, digits and . _ : -");
		}
		if (rate == null && parallelism == null) {
			throw new InvalidFetchRequestException("flowControl", "a flow key needs a rate, a parallelism or both");
		}
		if (parallelism != null && (parallelism < 1 || parallelism > FetchPolicy.MAX_CONCURRENCY)) {
			throw new InvalidFetchRequestException("flowControl.parallelism",
					"parallelism must be between 1 and " + FetchPolicy.MAX_CONCURRENCY);
		}
	}

}
