package io.fanout.scheduler;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.Violation;
import org.jspecify.annotations.Nullable;

/**
 * Where a job reports its end (and, if asked, its progress): a URL that receives a signed
 * {@code POST} per event. Validated when constructed, every part under {@code callback.}.
 * <p>
 * Its headers may carry credentials for the receiver: {@link #toString()} does not print them.
 *
 * @param url absolute {@code http} or {@code https} URL, held to the same rules as a request's
 * @param events the terminal events to report; all three when left out
 * @param progressEvery a {@code job.progress} event each time this many more results are stored;
 * none when null; at least {@value #MIN_PROGRESS_EVERY}
 * @param headers extra headers sent with every delivery; stored only to deliver, never returned or logged
 */
public record Callback(URI url, Set<Event> events, @Nullable Integer progressEvery, Map<String, String> headers) {

	/** Fewest results between two progress events: a callback per result would be a flood. */
	public static final int MIN_PROGRESS_EVERY = 100;

	/** Longest callback URL. */
	public static final int MAX_URL_LENGTH = 2000;

	/** Most extra headers. */
	public static final int MAX_HEADERS = 20;

	/** Most characters of all extra headers, names and values together. */
	public static final int MAX_HEADER_CHARACTERS = 8000;

	/** Headers Fanout sets on every delivery, which a callback cannot replace. */
	public static final Set<String> SIGNATURE_HEADERS = Set.of("webhook-id", "webhook-timestamp",
			"webhook-signature", "content-type");

	/** A job's terminal events, as a callback subscribes to them. */
	public enum Event {

		/** Every request has an outcome: {@code job.completed}. */
		COMPLETED,

		/** The job failed as a whole (fail-fast, deadline, internal): {@code job.failed}. */
		FAILED,

		/** The job was cancelled: {@code job.cancelled}. */
		CANCELLED;

		/** The event's {@code type} in a delivery's body. */
		public String type() {
			return "job." + name().toLowerCase(Locale.ROOT);
		}

		/** The event a job that ended in {@code status} reports. */
		public static Event of(JobStatus status) {
			return switch (status) {
				case COMPLETED -> COMPLETED;
				case FAILED -> FAILED;
				case CANCELLED -> CANCELLED;
				default -> throw new IllegalArgumentException(status + " is not a terminal status");
			};
		}

	}

	/** The type of a progress event's body. */
	public static final String PROGRESS_TYPE = "job.progress";

	public Callback {
		List<Violation> violations = violations(url, progressEvery, headers);
		if (!violations.isEmpty()) {
			throw new InvalidJobSpecException(violations);
		}
		events = (events == null || events.isEmpty()) ? Collections.unmodifiableSet(EnumSet.allOf(Event.class))
				: Collections.unmodifiableSet(EnumSet.copyOf(events));
		headers = (headers == null || headers.isEmpty()) ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
	}

	/**
	 * The callback a caller wrote, checked: every invalid part is added to {@code violations}, under
	 * {@code callback.}, and null returned if there was any.
	 */
	public static @Nullable Callback parse(@Nullable String url, @Nullable List<@Nullable Event> events,
			@Nullable Integer progressEvery, @Nullable Map<String, String> headers, List<Violation> violations) {
		URI uri = null;
		try {
			uri = FetchRequest.parseUrl(url);
		}
		catch (InvalidFetchRequestException ex) {
			ex.violations().forEach((violation) -> violations.add(violation.under("callback")));
			return null;
		}
		if (events != null && events.contains(null)) {
			violations.add(new Violation("callback.events", "events must not be null"));
			return null;
		}
		List<Violation> found = violations(uri, progressEvery, headers);
		if (!found.isEmpty()) {
			violations.addAll(found);
			return null;
		}
		return new Callback(uri, (events != null) ? new HashSet<>(events) : null, progressEvery, headers);
	}

	/** Whether the job's end in {@code status} is reported. */
	public boolean reports(JobStatus status) {
		return status.isTerminal() && this.events.contains(Event.of(status));
	}

	private static List<Violation> violations(@Nullable URI url, @Nullable Integer progressEvery,
			@Nullable Map<String, String> headers) {
		List<Violation> violations = new ArrayList<>();
		if (url == null) {
			violations.add(new Violation("callback.url", "url is required"));
		}
		else {
			if (url.toString().length() > MAX_URL_LENGTH) {
				violations.add(new Violation("callback.url", "url must be at most " + MAX_URL_LENGTH + " characters"));
			}
			try {
				// The rules of a request's URL and headers, in one place.
				new FetchRequest(url, "POST", headers, null, Map.of());
			}
			catch (InvalidFetchRequestException ex) {
				ex.violations().forEach((violation) -> violations.add(violation.under("callback")));
			}
		}
		if (progressEvery != null && progressEvery < MIN_PROGRESS_EVERY) {
			violations.add(new Violation("callback.progressEvery",
					"progressEvery must be at least " + MIN_PROGRESS_EVERY + " results"));
		}
		if (headers != null) {
			if (headers.size() > MAX_HEADERS) {
				violations.add(new Violation("callback.headers", "at most " + MAX_HEADERS + " headers are allowed"));
			}
			int characters = 0;
			for (Map.Entry<String, String> header : headers.entrySet()) {
				String name = header.getKey();
				characters += ((name != null) ? name.length() : 0)
						+ ((header.getValue() != null) ? header.getValue().length() : 0);
				if (name != null && SIGNATURE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
					violations.add(new Violation("callback.headers." + name, "header " + name + " is set by Fanout"));
				}
			}
			if (characters > MAX_HEADER_CHARACTERS) {
				violations.add(new Violation("callback.headers",
						"headers must be at most " + MAX_HEADER_CHARACTERS + " characters in all"));
			}
		}
		return violations;
	}

	@Override
	public String toString() {
		// Headers can hold credentials for the receiver: never print them.
		return "Callback[" + this.url + ", events=" + this.events + ", progressEvery=" + this.progressEvery + ", "
				+ this.headers.size() + " header(s)]";
	}

}
