package io.fanout.fetch.http;

import java.util.Arrays;

import io.netty.buffer.ByteBuf;

/**
 * Collects a body chunk by chunk, copying each out of Netty's buffer at once (so nothing is
 * retained), and refuses to grow beyond the limit.
 */
final class BodyBuffer {

	private final long limit;

	private byte[] bytes = new byte[0];

	private int size;

	BodyBuffer(long limit) {
		this.limit = limit;
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

	byte[] toByteArray() {
		return (this.size == this.bytes.length) ? this.bytes : Arrays.copyOf(this.bytes, this.size);
	}

}
