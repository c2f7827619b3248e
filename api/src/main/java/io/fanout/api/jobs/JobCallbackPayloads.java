package io.fanout.api.jobs;

import java.time.Instant;

import io.fanout.scheduler.CallbackPayloads;
import io.fanout.scheduler.Job;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The body of every callback delivery: the event's type and time, and the job as
 * {@code GET /api/v1/jobs/{id}} shows it, outcome counts included (its callback and deliveries
 * aside), written by the application's own {@link JsonMapper}.
 */
@Component
class JobCallbackPayloads implements CallbackPayloads {

	private final JsonMapper json;

	JobCallbackPayloads(JsonMapper json) {
		this.json = json;
		// Jackson builds its serializers on first use under a lock: here, not on an event loop.
		this.json.writeValueAsString(new Event("job.warm-up", Instant.EPOCH, null));
	}

	@Override
	public String render(String type, Instant timestamp, Job job) {
		return this.json.writeValueAsString(new Event(type, timestamp, JobResponse.of(job)));
	}

	/** An event's body; {@code data} is null only for the warm-up. */
	record Event(String type, Instant timestamp, JobResponse data) {
	}

}
