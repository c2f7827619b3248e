package io.fanout.fetch.http;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

/**
 * Collects a body chunk by chunk, copying each out of Netty's buffer at once (so nothing is
 * retained), and refuses to grow beyond the limit. A body whose length was declared gets an array of
 * that size at once; the bytes are then copied once, and once more only when they are decoded.
 */
final class BodyBuffer {

	private final long limit;

	private byte[] bytes;

	private int size;

	/**
	 * @param limit most bytes accepted
	 * @param declared the declared length, or -1
	 */
	BodyBuffer(long limit, long declared) {
		this.limit = limit;
		this.bytes = new byte[(declared > 0 && declared <= limit) ? (int) declared : 0];
	}

	BodyBuffer append(ByteBuf chunk) {
		int length = chunk.readableBytes();
		if (this.size + (long) length > this.limit) {
			throw new BodyTooLargeException(this.size + (long) length, this.limit, false);
		}
		if (this.size + length > this.bytes.length) {
			int capacity = (int) Math.min(this.limit, Math.max(this.bytes.length * 2L, this.size + (long) length));
			this.bytes = Arrays.copyOf(this.bytes, Math.max(capacity, this.size + length));
		}
		chunk.getBytes(chunk.readerIndex(), this.bytes, this.size, length);
		this.size += length;
		return this;
	}

	/** The array the body is in: its first {@link #size()} bytes. */
	byte[] bytes() {
		return this.bytes;
	}

	int size() {
		return this.size;
	}

}
