package io.fanout.api.schedules;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.fanout.api.jobs.JobSubmissions;
import io.fanout.api.problems.InvalidField;
import io.fanout.api.problems.InvalidRequestException;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link ScheduleSubmission} into the scheduler's {@link ScheduleSpec}, reporting every invalid
 * field at once, by path ({@code trigger.cron}, {@code template.requests[0].url}), as an
 * {@link InvalidRequestException}. The job template goes through {@link JobSubmissions}, as a job
 * would; the rules are the scheduler's and fetch-service's.
 */
@Component
class ScheduleSubmissions {

	/** Stands in for invalid parts while the rest of a submission is checked. */
	private static final ScheduleTrigger PLACEHOLDER_TRIGGER = ScheduleTrigger.fixedRate(Duration.ofHours(1));

	private static final JobSpec PLACEHOLDER_TEMPLATE = JobSpec
		.of(List.of(FetchRequest.get("http://placeholder.invalid/")), FetchPolicy.DEFAULT);

	private static final String TEMPLATE = "template";

	private final JobSubmissions jobs;

	private final SchedulerProperties scheduler;

	ScheduleSubmissions(JobSubmissions jobs, SchedulerProperties scheduler) {
		this.jobs = jobs;
		this.scheduler = scheduler;
	}

	/** The definition to save, or an {@link InvalidRequestException} naming every invalid field. */
	ScheduleSpec toSpec(ScheduleSubmission submission) {
		List<InvalidField> errors = new ArrayList<>();
		ScheduleTrigger trigger = trigger(submission.trigger(), errors);
		JobSpec template = template(submission, errors);
		try {
			ScheduleSpec spec = new ScheduleSpec(submission.name(), (trigger != null) ? trigger : PLACEHOLDER_TRIGGER,
					(template != null) ? template : PLACEHOLDER_TEMPLATE, submission.overlap(),
					!Boolean.FALSE.equals(submission.enabled()), submission.jitter());
			if (errors.isEmpty()) {
				return spec;
			}
		}
		catch (InvalidScheduleException ex) {
			errors.add(new InvalidField(ex.field(), ex.getMessage()));
		}
		throw new InvalidRequestException(errors);
	}

	private @Nullable ScheduleTrigger trigger(ScheduleSubmission.@Nullable Trigger trigger, List<InvalidField> errors) {
		if (trigger == null || (trigger.cron() == null) == (trigger.fixedRate() == null)) {
			errors.add(new InvalidField("trigger", "give either cron (with an optional timezone) or fixedRate"));
			return null;
		}
		try {
			if (trigger.fixedRate() != null) {
				if (trigger.timezone() != null) {
					errors.add(new InvalidField("trigger.timezone", "only a cron trigger has a time zone"));
				}
				ScheduleTrigger.FixedRate rate = ScheduleTrigger.fixedRate(trigger.fixedRate());
				if (rate.period().compareTo(this.scheduler.minFixedRate()) < 0) {
					errors.add(new InvalidField("trigger.fixedRate",
							"a fixed rate must be at least " + this.scheduler.minFixedRate()));
					return null;
				}
				return rate;
			}
			ZoneId zone = null;
			try {
				zone = (trigger.timezone() != null) ? ScheduleTrigger.zone(trigger.timezone())
						: ScheduleTrigger.DEFAULT_ZONE;
			}
			catch (InvalidScheduleException ex) {
				errors.add(new InvalidField(ex.field(), ex.getMessage()));
			}
			ScheduleTrigger.Cron cron = ScheduleTrigger.cron(trigger.cron(),
					(zone != null) ? zone : ScheduleTrigger.DEFAULT_ZONE);
			return (zone != null) ? cron : null;
		}
		catch (InvalidScheduleException ex) {
			errors.add(new InvalidField(ex.field(), ex.getMessage()));
			return null;
		}
	}

	private @Nullable JobSpec template(ScheduleSubmission submission, List<InvalidField> errors) {
		if (submission.template() == null) {
			errors.add(new InvalidField(TEMPLATE, "a schedule needs the job to submit"));
			return null;
		}
		try {
			return this.jobs.toSpec(submission.template());
		}
		catch (InvalidRequestException ex) {
			ex.errors().forEach((error) -> errors.add(new InvalidField(TEMPLATE + "." + error.field(), error.message())));
			return null;
		}
	}

}
