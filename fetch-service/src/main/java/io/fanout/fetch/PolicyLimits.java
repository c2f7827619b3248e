package io.fanout.fetch;

/**
 * What the server allows a submission to ask for, beyond the limits every {@link FetchPolicy} has.
 *
 * @param maxBodySize largest {@code maxBodySize} a submission may ask for
 */
public record PolicyLimits(long maxBodySize) {

	public PolicyLimits {
		if (maxBodySize < 0) {
			throw new IllegalArgumentException("maxBodySize must not be negative");
		}
	}

}
