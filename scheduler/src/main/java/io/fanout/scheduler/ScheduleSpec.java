package io.fanout.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fanout.fetch.Violation;
import org.jspecify.annotations.Nullable;

/**
 * What a schedule is asked to do: when to fire, which job to submit each time, and what to do when the
 * previous job is still going. Validated when constructed; limits that depend on configuration (the
 * shortest fixed rate, requests per job) are checked when the schedule is saved.
 *
 * @param name unique per owner, up to {@value JobSpec#MAX_NAME_LENGTH} characters of one-line text
 * @param trigger when it fires
 * @param template the job submitted at each fire; a job without a name takes the schedule's
 * @param overlap what to do when the job launched last is still queued or running
 * @param enabled whether it fires; a paused schedule can still be triggered by hand
 * @param jitter optional random delay of each fire, up to this much, to spread schedules that share a
 * time; at most {@value #MAX_JITTER_MINUTES} minutes and, for a fixed rate, less than the rate
 */
public record ScheduleSpec(String name, ScheduleTrigger trigger, JobSpec template, OverlapPolicy overlap,
		boolean enabled, @Nullable Duration jitter) {

	/** Longest jitter, in minutes. */
	public static final long MAX_JITTER_MINUTES = 60;

	public ScheduleSpec {
		List<Violation> violations = violations(name, trigger, jitter);
		if (trigger == null) {
			violations.add(new Violation("trigger", "a schedule needs a trigger: cron or fixedRate"));
		}
		if (template == null) {
			violations.add(new Violation("template", "a schedule needs a job template"));
		}
		if (!violations.isEmpty()) {
			throw new InvalidScheduleException(violations);
		}
		name = name.strip();
		if (overlap == null) {
			overlap = OverlapPolicy.SKIP;
		}
		jitter = (jitter == null || jitter.isZero()) ? null : Duration.ofMillis(jitter.toMillis());
	}

	/**
	 * What is wrong with the name and the jitter of a schedule, every one; the jitter is checked
	 * against the trigger when there is one.
	 */
	static List<Violation> violations(@Nullable String name, @Nullable ScheduleTrigger trigger,
			@Nullable Duration jitter) {
		List<Violation> violations = new ArrayList<>();
		if (name == null || name.isBlank()) {
			violations.add(new Violation("name", "a schedule needs a name"));
		}
		else if (name.strip().length() > JobSpec.MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
			violations.add(new Violation("name",
					"name must be at most " + JobSpec.MAX_NAME_LENGTH + " characters of one-line text"));
		}
		if (jitter != null) {
			if (jitter.isNegative()) {
				violations.add(new Violation("jitter", "jitter must not be negative"));
			}
			else if (jitter.compareTo(Duration.ofMinutes(MAX_JITTER_MINUTES)) > 0) {
				violations.add(new Violation("jitter", "jitter must be at most PT" + MAX_JITTER_MINUTES + "M"));
			}
			else if (!jitter.isZero() && trigger instanceof ScheduleTrigger.FixedRate rate
					&& jitter.compareTo(rate.period()) >= 0) {
				violations.add(new Violation("jitter", "jitter must be shorter than the fixed rate"));
			}
		}
		return violations;
	}

	/** A schedule of this job on this trigger: enabled, overlap {@link OverlapPolicy#SKIP}, no jitter. */
	public static ScheduleSpec of(String name, ScheduleTrigger trigger, JobSpec template) {
		return new ScheduleSpec(name, trigger, template, OverlapPolicy.SKIP, true, null);
	}

	public ScheduleSpec withName(String name) {
		return new ScheduleSpec(name, this.trigger, this.template, this.overlap, this.enabled, this.jitter);
	}

	public ScheduleSpec withTrigger(ScheduleTrigger trigger) {
		return new ScheduleSpec(this.name, trigger, this.template, this.overlap, this.enabled, this.jitter);
	}

	public ScheduleSpec withTemplate(JobSpec template) {
		return new ScheduleSpec(this.name, this.trigger, template, this.overlap, this.enabled, this.jitter);
	}

	public ScheduleSpec withOverlap(OverlapPolicy overlap) {
		return new ScheduleSpec(this.name, this.trigger, this.template, overlap, this.enabled, this.jitter);
	}

	public ScheduleSpec withEnabled(boolean enabled) {
		return new ScheduleSpec(this.name, this.trigger, this.template, this.overlap, enabled, this.jitter);
	}

	public ScheduleSpec withJitter(@Nullable Duration jitter) {
		return new ScheduleSpec(this.name, this.trigger, this.template, this.overlap, this.enabled, jitter);
	}

}
