package io.fanout.scheduler;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.fanout.fetch.Violation;
import org.jspecify.annotations.Nullable;

/**
 * Makes {@link ScheduleSpec}s of {@link ScheduleDraft}s with this server's limits: the one place
 * where a schedule is checked, for schedules created through the API and declared in configuration
 * alike. Its template goes through {@link JobSpecFactory}, as a job would. Every invalid part is
 * reported at once, by its path.
 */
public final class ScheduleSpecFactory {

	private final JobSpecFactory jobs;

	private final Duration minFixedRate;

	private final Clock clock;

	/**
	 * @param jobs makes the template's job spec
	 * @param minFixedRate shortest fixed rate a schedule may have
	 * @param clock to tell whether a trigger fires at all
	 */
	public ScheduleSpecFactory(JobSpecFactory jobs, Duration minFixedRate, Clock clock) {
		this.jobs = jobs;
		this.minFixedRate = minFixedRate;
		this.clock = clock;
	}

	/**
	 * The spec of this draft.
	 * @throws InvalidScheduleException naming every invalid part
	 */
	public ScheduleSpec create(ScheduleDraft draft) {
		List<Violation> violations = new ArrayList<>();
		ScheduleTrigger trigger = trigger(draft.trigger(), violations);
		JobSpec template = template(draft.template(), violations);
		violations.addAll(ScheduleSpec.violations(draft.name(), trigger, draft.jitter()));
		if (!violations.isEmpty() || trigger == null || template == null) {
			throw new InvalidScheduleException(
					violations.subList(0, Math.min(violations.size(), JobSpecFactory.MAX_VIOLATIONS)));
		}
		ScheduleSpec spec = new ScheduleSpec(draft.name(), trigger, template, draft.overlap(),
				!Boolean.FALSE.equals(draft.enabled()), draft.jitter());
		check(spec);
		return spec;
	}

	/**
	 * Checks what a spec built anywhere must respect on this server: the requests per job of its
	 * template, the shortest fixed rate, and that its trigger fires at all.
	 * @throws InvalidScheduleException naming the field
	 */
	public void check(ScheduleSpec spec) {
		try {
			this.jobs.check(spec.template());
		}
		catch (InvalidJobSpecException ex) {
			throw InvalidScheduleException.forTemplate(ex);
		}
		Violation rate = fixedRate(spec.trigger());
		if (rate != null) {
			throw new InvalidScheduleException(List.of(rate));
		}
		if (spec.trigger().next(this.clock.instant()) == null) {
			throw new InvalidScheduleException("trigger.cron", "the cron expression never fires");
		}
	}

	private @Nullable ScheduleTrigger trigger(ScheduleDraft.@Nullable Trigger trigger, List<Violation> violations) {
		if (trigger == null || (trigger.cron() == null) == (trigger.fixedRate() == null)) {
			violations.add(new Violation("trigger", "give either cron (with an optional timezone) or fixedRate"));
			return null;
		}
		if (trigger.fixedRate() != null) {
			return fixedRate(trigger, violations);
		}
		ZoneId zone = ScheduleTrigger.DEFAULT_ZONE;
		boolean zoneValid = true;
		if (trigger.timezone() != null) {
			try {
				zone = ScheduleTrigger.zone(trigger.timezone());
			}
			catch (InvalidScheduleException ex) {
				violations.addAll(ex.violations());
				zoneValid = false;
			}
		}
		try {
			ScheduleTrigger.Cron cron = ScheduleTrigger.cron(trigger.cron(), zone);
			return zoneValid ? cron : null;
		}
		catch (InvalidScheduleException ex) {
			violations.addAll(ex.violations());
			return null;
		}
	}

	private ScheduleTrigger.@Nullable FixedRate fixedRate(ScheduleDraft.Trigger trigger, List<Violation> violations) {
		if (trigger.timezone() != null) {
			violations.add(new Violation("trigger.timezone", "only a cron trigger has a time zone"));
		}
		try {
			ScheduleTrigger.FixedRate rate = ScheduleTrigger.fixedRate(trigger.fixedRate());
			Violation tooShort = fixedRate(rate);
			if (tooShort != null) {
				violations.add(tooShort);
				return null;
			}
			return rate;
		}
		catch (InvalidScheduleException ex) {
			violations.addAll(ex.violations());
			return null;
		}
	}

	private @Nullable Violation fixedRate(ScheduleTrigger trigger) {
		if (trigger instanceof ScheduleTrigger.FixedRate rate && rate.period().compareTo(this.minFixedRate) < 0) {
			return new Violation("trigger.fixedRate", "a fixed rate must be at least " + this.minFixedRate);
		}
		return null;
	}

	private @Nullable JobSpec template(@Nullable JobDraft template, List<Violation> violations) {
		if (template == null) {
			violations.add(new Violation("template", "a schedule needs the job to submit"));
			return null;
		}
		try {
			return this.jobs.create(template);
		}
		catch (InvalidJobSpecException ex) {
			violations.addAll(InvalidScheduleException.forTemplate(ex).violations());
			return null;
		}
	}

}
