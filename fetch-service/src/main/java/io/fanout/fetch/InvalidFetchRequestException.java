package io.fanout.fetch;

/**
 * A fetch request or policy that cannot be run, refused before anything is sent.
 * {@link #field()} names the offending part, relative to the request or policy
 * ({@code url}, {@code extract.temperature}, {@code concurrency}).
 */
public class InvalidFetchRequestException extends FetchException {

	private final String field;

	public InvalidFetchRequestException(String field, String message) {
		super(message);
		this.field = field;
	}

	/** The path of the offending field, relative to the request or policy. */
	public String field() {
		return this.field;
	}

}
