package io.fanout.fetch.http;

/** The body went over the limit; {@code size} is the declared length, or what was seen so far. */
final class BodyTooLargeException extends RuntimeException {

	private final long size;

	BodyTooLargeException(long size, long limit, boolean declared) {
		super((declared ? "declared body size " + size + " bytes" : "body exceeded " + limit + " bytes")
				+ " is over the limit of " + limit + " bytes; connection dropped");
		this.size = size;
	}

	long size() {
		return this.size;
	}

}
