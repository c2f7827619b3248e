package io.fanout.api.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.Violation;
import io.fanout.scheduler.Callback;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobDraft;
import io.fanout.scheduler.JobSpec;
import org.jspecify.annotations.Nullable;

/**
 * The one rule for request header values and bodies, which the API stores but never returns: a
 * schedule's template is returned with each request's header names and whether it has a body
 * ({@link #withheld}); a request sent back keeps the stored values of the headers it names in
 * {@code headerNames} but does not send in {@code headers} (generated clients send an empty map), and
 * without {@code body} but with {@code hasBody: true} the stored body, from the request at the same
 * position if it has the same URL ({@link #kept}). A callback's headers are kept the same way, from the
 * stored callback with the same URL. Anything else it names is a violation, never a silently dropped
 * header.
 */
final class StoredValues {

	private StoredValues() {
	}

	/** {@code request} as returned: header names instead of headers, whether it has a body instead of it. */
	static JobSubmission.Request withheld(FetchRequest request) {
		return new JobSubmission.Request(request.url().toString(), request.method(), null, null, request.extract(),
				List.copyOf(request.headers().keySet()), request.body() != null);
	}

	/**
	 * {@code request}, at {@code index} of its job, as the scheduler's draft, with the header values and
	 * body it names taken from {@code stored}'s request at the same position, if that has the same URL.
	 */
	static JobDraft.Request kept(JobSubmission.Request request, @Nullable JobSpec stored, int index,
			List<Violation> violations) {
		String path = InvalidJobSpecException.requestPath(index);
		FetchRequest previous = previous(stored, index, request.url());
		Map<String, String> headers = request.headers();
		List<String> names = request.headerNames();
		if (names != null && !names.isEmpty()) {
			headers = keptHeaders(headers, names, (previous != null) ? previous.headers() : null, path,
					"the stored request at this position", nothingStored("`headers` with their values"), violations);
		}
		String body = request.body();
		if (body == null && Boolean.TRUE.equals(request.hasBody())) {
			if (previous == null) {
				violations.add(new Violation(path + ".hasBody", nothingStored("`body`")));
			}
			else if (previous.body() == null) {
				violations.add(new Violation(path + ".hasBody",
						"the stored request at this position has no body to keep: send `body`, or leave `hasBody` out"));
			}
			else {
				body = previous.body();
			}
		}
		return new JobDraft.Request(request.url(), request.method(), headers, body, request.extract());
	}

	/** {@code callback} as returned: its header names instead of its headers. */
	static JobSubmission.Callback withheld(Callback callback) {
		return new JobSubmission.Callback(callback.url().toString(), List.copyOf(callback.events()),
				callback.progressEvery(), null, List.copyOf(callback.headers().keySet()));
	}

	/**
	 * The headers of {@code callback} as the scheduler's draft: those it names in {@code headerNames} but
	 * does not send are taken from {@code stored}'s callback, if that has the same URL.
	 */
	static @Nullable Map<String, String> keptHeaders(JobSubmission.Callback callback, @Nullable JobSpec stored,
			List<Violation> violations) {
		List<String> names = callback.headerNames();
		if (names == null || names.isEmpty()) {
			return callback.headers();
		}
		Callback previous = (stored != null) ? stored.callback() : null;
		Map<String, String> previousHeaders = (previous != null && previous.url().toString().equals(callback.url()))
				? previous.headers() : null;
		return keptHeaders(callback.headers(), names, previousHeaders, "callback", "the stored callback",
				"no stored callback with this URL to keep it from (only a schedule's PUT keeps stored values): "
						+ "send `headers` with their values",
				violations);
	}

	private static @Nullable Map<String, String> keptHeaders(@Nullable Map<String, String> sent, List<String> names,
			@Nullable Map<String, String> previous, String path, String storedOne, String nothingStored,
			List<Violation> violations) {
		Map<String, String> headers = (sent != null) ? new LinkedHashMap<>(sent) : new LinkedHashMap<>();
		for (int i = 0; i < names.size(); i++) {
			String name = names.get(i);
			if (name == null || header(headers, name) != null) {
				continue;
			}
			if (previous == null) {
				violations.add(new Violation(path + ".headerNames", nothingStored));
				return sent;
			}
			Map.Entry<String, String> stored = header(previous, name);
			if (stored == null) {
				violations.add(new Violation(path + ".headerNames[" + i + "]", storedOne
						+ " has no such header to keep: send it in `headers`, or leave its name out"));
			}
			else {
				headers.put(stored.getKey(), stored.getValue());
			}
		}
		return headers;
	}

	private static String nothingStored(String what) {
		return "no stored request at this position with this URL to keep it from (only a schedule's PUT keeps "
				+ "stored values): send " + what;
	}

	private static @Nullable FetchRequest previous(@Nullable JobSpec stored, int index, @Nullable String url) {
		if (stored == null || index >= stored.requests().size()) {
			return null;
		}
		FetchRequest previous = stored.requests().get(index);
		return previous.url().toString().equals(url) ? previous : null;
	}

	private static Map.@Nullable Entry<String, String> header(Map<String, String> headers, String name) {
		for (Map.Entry<String, String> header : headers.entrySet()) {
			if (header.getKey().equalsIgnoreCase(name)) {
				return header;
			}
		}
		return null;
	}

}
