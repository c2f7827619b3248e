package io.fanout.fetch;

import io.micrometer.tracing.TraceContext;
import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * How a caller puts a batch's requests under a span of its own, through the subscriber's Reactor
 * context: each request then gets a child span (host, method, outcome; never the URL's path or query,
 * never a header). A batch fetched without a parent is not traced at all: its requests cost nothing.
 */
public final class FetchTracing {

	private static final Object PARENT = FetchTracing.class;

	private FetchTracing() {
	}

	/** {@code context} with {@code parent} as the parent of the requests fetched under it. */
	public static Context under(Context context, TraceContext parent) {
		return context.put(PARENT, parent);
	}

	/** The parent the subscriber gave, if any. */
	public static @Nullable TraceContext parent(ContextView context) {
		return context.getOrDefault(PARENT, null);
	}

}
