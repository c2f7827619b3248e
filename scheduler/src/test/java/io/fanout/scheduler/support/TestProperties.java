package io.fanout.scheduler.support;

import java.util.HashMap;
import java.util.Map;

import io.fanout.scheduler.SchedulerProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@link SchedulerProperties} bound the way Spring Boot binds them, from a few overrides
 * ({@code "poll-interval", "50ms"}) on top of the defaults, with short intervals for tests.
 */
public final class TestProperties {

	private TestProperties() {
	}

	/**
	 * Like {@link #fast}, but a worker's loops only run once, at its start: a test moves the clock and
	 * calls the worker's hooks ({@code pollQueue}, {@code checkRunningJobs}, {@code purgeExpired})
	 * itself. Submissions still wake a worker up.
	 */
	public static SchedulerProperties handDriven(String... overrides) {
		String[] all = new String[overrides.length + 6];
		System.arraycopy(new String[] { "poll-interval", "1h", "cancel-check-interval", "1h", "purge-interval", "365d" },
				0, all, 0, 6);
		System.arraycopy(overrides, 0, all, 6, overrides.length);
		return fast(all);
	}

	public static SchedulerProperties fast(String... overrides) {
		Map<String, String> values = new HashMap<>();
		values.put("fanout.scheduler.poll-interval", "50ms");
		values.put("fanout.scheduler.cancel-check-interval", "100ms");
		values.put("fanout.scheduler.result-batch-interval", "50ms");
		values.put("fanout.scheduler.stream-poll-interval", "50ms");
		values.put("fanout.scheduler.stream-poll-max-interval", "400ms");
		for (int i = 0; i + 1 < overrides.length; i += 2) {
			values.put("fanout.scheduler." + overrides[i], overrides[i + 1]);
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("fanout.scheduler",
				SchedulerProperties.class);
	}

}
