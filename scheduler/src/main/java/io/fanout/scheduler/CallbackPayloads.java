package io.fanout.scheduler;

import java.time.Instant;

/**
 * Renders the body of a callback delivery: {@code {"type": …, "timestamp": …, "data": <the job>}},
 * the job as the API shows it. The scheduler knows no API representation, so the application
 * provides this; it is called once per delivery, at its first attempt, and the body kept for retries.
 */
@FunctionalInterface
public interface CallbackPayloads {

	/**
	 * The JSON body, as text.
	 * @param type the event's type, {@code job.completed} say
	 * @param timestamp when the event happened
	 * @param job the job as it is now
	 */
	String render(String type, Instant timestamp, Job job);

}
