package io.fanout.api.jobs;

/**
 * Examples shown in the OpenAPI document.
 */
final class Examples {

	/** The classic: three cities' weather, fetched concurrently, the temperature extracted. */
	static final String STREAMED = """
			{"name": "crawl", "concurrency": 100, "timeout": "PT10S"}
			{"url": "http://127.0.0.1:8080/demo/weather/paris"}
			{"url": "http://127.0.0.1:8080/demo/weather/toulouse", "extract": {"temperature": "$.current_condition.tmp"}}
			""";

	static final String THREE_CITIES = """
			{
			  "name": "weather",
			  "requests": [
			    {"url": "http://127.0.0.1:8080/demo/weather/paris", "extract": {"temperature": "$.current_condition.tmp"}},
			    {"url": "http://127.0.0.1:8080/demo/weather/toulouse", "extract": {"temperature": "$.current_condition.tmp"}},
			    {"url": "http://127.0.0.1:8080/demo/weather/marseille", "extract": {"temperature": "$.current_condition.tmp"}}
			  ],
			  "concurrency": 3,
			  "timeout": "PT10S",
			  "retry": {"maxAttempts": 3, "initialBackoff": "PT0.2S", "maxBackoff": "PT5S"},
			  "labels": {"team": "weather"}
			}""";

	/** One result of a stream: a line of NDJSON, or the data of a {@code result} server-sent event. */
	static final String STREAMED_RESULT = """
			{"index": 1, "method": "GET", "url": "http://127.0.0.1:8080/demo/weather/toulouse", "outcome": "SUCCEEDED",
			 "httpStatus": 200, "attempts": 1, "startedAt": "2026-11-21T08:00:00.015Z", "durationMs": 2012,
			 "extracted": {"temperature": 29}, "bodySize": 50, "position": 1}""";

	/** How to read the NDJSON stream. */
	static final String NDJSON_USE = """
			The body is newline-delimited JSON: one `Result` (this schema) per line, written as each request \
			completes: the results stored so far first, then each new one, each with its `position`. Read it line \
			by line and skip empty lines (keep-alives). It ends when the job has ended and every result was sent, or \
			when the stream reached its maximum lifetime: reconnect with `after` set to the last `position` \
			received to go on, none lost or repeated. A generated client's `getResults` reads the JSON page; read a \
			stream with an HTTP client that hands the body over as it arrives.""";

	/** How to read the server-sent events. */
	static final String EVENT_STREAM_USE = """
			Server-sent events (`EventSource`). Each `result` event's `data` is one `Result` (this schema) and its \
			`id` the result's `position`: `event:result`, `id:1`, `data:{"index":1,…}`. The stream ends with an \
			`end` event whose data is the finished `Job`, or, at its maximum lifetime, with an `expired` event whose \
			`id` (and `after` in its data, `{"after":7}`) is where to resume: reconnecting with `Last-Event-ID` \
			(which `EventSource` does by itself) or `after` goes on with the next result. Comments \
			(`:heartbeat`) keep an idle stream alive.""";

	/** A rerun of the requests that timed out, with more time each. */
	static final String RERUN_TIMEOUTS = """
			{
			  "outcomes": ["TIMED_OUT"],
			  "timeout": "PT30S",
			  "name": "weather, timeouts again"
			}""";

	private Examples() {
	}

}
