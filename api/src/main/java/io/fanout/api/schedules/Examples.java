package io.fanout.api.schedules;

/**
 * Examples shown in the OpenAPI document.
 */
final class Examples {

	/** The demo's weather, fetched every ten seconds. */
	static final String WEATHER_EVERY_10_SECONDS = """
			{
			  "name": "weather",
			  "trigger": {"fixedRate": "PT10S"},
			  "template": {
			    "requests": [
			      {"url": "http://127.0.0.1:8080/demo/weather/paris", "extract": {"temperature": "$.current_condition.tmp"}},
			      {"url": "http://127.0.0.1:8080/demo/weather/toulouse", "extract": {"temperature": "$.current_condition.tmp"}}
			    ]
			  }
			}""";

	/** A cron schedule in a time zone, replacing the previous run if it is still going. */
	static final String WEEKDAY_MORNINGS = """
			{
			  "name": "prices",
			  "trigger": {"cron": "0 0 7 * * MON-FRI", "timezone": "Europe/Paris"},
			  "overlap": "CANCEL_PREVIOUS",
			  "jitter": "PT30S",
			  "template": {
			    "requests": [{"url": "https://prices.example.com/today", "extract": {"price": "$.price"}}],
			    "timeout": "PT5S",
			    "labels": {"team": "pricing"}
			  }
			}""";

	private Examples() {
	}

}
