package io.fanout.scheduler;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Schedules declared in configuration, so that a deployment carries its periodic jobs with it.
 *
 * @param schedules schedules by name, upserted at startup on every replica: {@code owner},
 * {@code trigger.cron} (with {@code trigger.timezone}) or {@code trigger.fixed-rate}, {@code template}
 * (the job, as {@code POST /api/v1/jobs} takes it), {@code overlap}, {@code enabled}, {@code jitter}
 */
@ConfigurationProperties("fanout")
public record ScheduleDeclarations(@DefaultValue Map<String, DeclaredSchedule> schedules) {

	public ScheduleDeclarations {
		schedules = (schedules != null) ? Collections.unmodifiableMap(new TreeMap<>(schedules)) : Map.of();
	}

}
