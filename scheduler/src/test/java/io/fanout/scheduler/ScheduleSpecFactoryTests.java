package io.fanout.scheduler;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.PolicyOverrides;
import io.fanout.fetch.Violation;
import io.fanout.test.SettableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Schedule drafts become specs in one place, for the API and for configuration alike: the trigger
 * rules, the shortest fixed rate, the template checked as a job, every invalid part named.
 */
class ScheduleSpecFactoryTests {

	private final ScheduleSpecFactory factory = new ScheduleSpecFactory(
			new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(FetchPolicy.DEFAULT.maxBodySize()), 5),
			Duration.ofSeconds(10), SettableClock.startingAt2030());

	private static final JobDraft TEMPLATE = new JobDraft(null, null, null,
			List.of(new JobDraft.Request("http://example.com/", null, null, null, null)), PolicyOverrides.NONE, null);

	@Test
	void aCronTriggerIsReadInItsZoneOrInUtc() {
		ScheduleSpec paris = this.factory
			.create(draft(new ScheduleDraft.Trigger("0 0 7 * * MON-FRI", "Europe/Paris", null)));
		assertThat(paris.trigger()).isEqualTo(ScheduleTrigger.cron("0 0 7 * * MON-FRI", ZoneId.of("Europe/Paris")));
		assertThat(paris.enabled()).isTrue();
		assertThat(paris.overlap()).isEqualTo(OverlapPolicy.SKIP);
		assertThat(this.factory.create(draft(new ScheduleDraft.Trigger("0 0 7 * * *", null, null))).trigger())
			.isEqualTo(ScheduleTrigger.cron("0 0 7 * * *"));
	}

	@Test
	void triggerRulesAreNamedByField() {
		assertViolation(new ScheduleDraft.Trigger(null, null, Duration.ofSeconds(5)), "trigger.fixedRate",
				"a fixed rate must be at least PT10S");
		assertViolation(new ScheduleDraft.Trigger(null, "UTC", Duration.ofMinutes(1)), "trigger.timezone",
				"only a cron trigger has a time zone");
		assertViolation(new ScheduleDraft.Trigger("0 0 * * * *", null, Duration.ofMinutes(1)), "trigger",
				"give either cron (with an optional timezone) or fixedRate");
		assertViolation(null, "trigger", "give either cron (with an optional timezone) or fixedRate");
		assertViolation(new ScheduleDraft.Trigger("0 0 0 30 2 *", null, null), "trigger.cron",
				"the cron expression never fires");
	}

	@Test
	void everyInvalidPartIsNamedTheTemplatesUnderTemplate() {
		JobDraft badTemplate = new JobDraft(null, null, null,
				List.of(new JobDraft.Request("ftp://example.com/", null, null, null, null)),
				new PolicyOverrides(0, null, null, null, null, null, null, null, null), null);
		InvalidScheduleException refused = catchThrowableOfType(InvalidScheduleException.class,
				() -> this.factory.create(new ScheduleDraft("", new ScheduleDraft.Trigger("0 * * * *", "Atlantis", null),
						badTemplate, null, null, Duration.ofHours(2))));
		assertThat(refused.violations()).extracting(Violation::field)
			.containsExactly("trigger.timezone", "trigger.cron", "template.requests[0].url", "template.concurrency",
					"name", "jitter");
	}

	private ScheduleDraft draft(ScheduleDraft.Trigger trigger) {
		return new ScheduleDraft("prices", trigger, TEMPLATE, null, null, null);
	}

	private void assertViolation(ScheduleDraft.Trigger trigger, String field, String message) {
		InvalidScheduleException refused = catchThrowableOfType(InvalidScheduleException.class,
				() -> this.factory.create(draft(trigger)));
		assertThat(refused.violations()).containsExactly(new Violation(field, message));
	}

}
