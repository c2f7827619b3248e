package io.fanout.scheduler;

import java.time.Duration;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a schedule definition accepts, and the field it names when it refuses.
 */
class ScheduleSpecTests {

	private static final JobSpec TEMPLATE = JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1/")),
			FetchPolicy.DEFAULT);

	private static final ScheduleTrigger EVERY_MINUTE = ScheduleTrigger.fixedRate(Duration.ofMinutes(1));

	@Test
	void defaultsToEnabledSkippingOverlapsWithoutJitter() {
		ScheduleSpec spec = ScheduleSpec.of("  prices ", EVERY_MINUTE, TEMPLATE);
		assertThat(spec.name()).isEqualTo("prices");
		assertThat(spec.overlap()).isEqualTo(OverlapPolicy.SKIP);
		assertThat(spec.enabled()).isTrue();
		assertThat(spec.jitter()).isNull();
		assertThat(new ScheduleSpec("p", EVERY_MINUTE, TEMPLATE, null, true, Duration.ZERO).jitter()).isNull();
	}

	@Test
	void refusesWhatCannotBeScheduledNamingTheField() {
		assertField(() -> ScheduleSpec.of(" ", EVERY_MINUTE, TEMPLATE), "name");
		assertField(() -> ScheduleSpec.of("a\nb", EVERY_MINUTE, TEMPLATE), "name");
		assertField(() -> ScheduleSpec.of("x".repeat(201), EVERY_MINUTE, TEMPLATE), "name");
		assertField(() -> ScheduleSpec.of("p", null, TEMPLATE), "trigger");
		assertField(() -> ScheduleSpec.of("p", EVERY_MINUTE, null), "template");
		assertField(() -> ScheduleSpec.of("p", EVERY_MINUTE, TEMPLATE).withJitter(Duration.ofSeconds(-1)), "jitter");
		assertField(() -> ScheduleSpec.of("p", EVERY_MINUTE, TEMPLATE).withJitter(Duration.ofMinutes(1)), "jitter");
		assertField(() -> ScheduleSpec.of("p", ScheduleTrigger.cron("@daily"), TEMPLATE).withJitter(Duration.ofHours(2)),
				"jitter");
		assertThat(ScheduleSpec.of("p", EVERY_MINUTE, TEMPLATE).withJitter(Duration.ofSeconds(59)).jitter())
			.isEqualTo(Duration.ofSeconds(59));
	}

	private static void assertField(Runnable creation, String field) {
		assertThatThrownBy(creation::run).isInstanceOf(InvalidScheduleException.class)
			.extracting((ex) -> ((InvalidScheduleException) ex).field())
			.isEqualTo(field);
	}

}
