package io.fanout.fetch.http;

import java.net.URI;

import org.jspecify.annotations.Nullable;

/**
 * A response as read off the wire, body within the limit.
 *
 * @param uri the URI that answered (after redirects)
 * @param status HTTP status code
 * @param contentType the {@code Content-Type} header, if any
 * @param location the {@code Location} header, if any
 * @param retryAfter the {@code Retry-After} header, if any
 * @param body the body bytes: the first {@code length} of them; the array may be longer
 * @param length how many bytes of {@code body} are the body
 */
record RawResponse(URI uri, int status, @Nullable String contentType, @Nullable String location,
		@Nullable String retryAfter, byte[] body, int length) {

	boolean isSuccess() {
		return this.status >= 200 && this.status < 400;
	}

	boolean isRedirect() {
		return (this.status == 301 || this.status == 302 || this.status == 303 || this.status == 307
				|| this.status == 308) && this.location != null;
	}

}
