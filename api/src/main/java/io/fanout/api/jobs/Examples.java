package io.fanout.api.jobs;

/**
 * Examples shown in the OpenAPI document.
 */
final class Examples {

	/** The classic: three cities' weather, fetched concurrently, the temperature extracted. */
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
