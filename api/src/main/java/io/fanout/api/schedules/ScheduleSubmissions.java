package io.fanout.api.schedules;

import io.fanout.api.jobs.JobSubmissions;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.ScheduleDraft;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleSpecFactory;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link ScheduleSubmission} into the scheduler's {@link ScheduleSpec}. The rules (every
 * invalid field by its path, the template checked as a job would be) are the scheduler's
 * {@link ScheduleSpecFactory}'s; this class only carries the API's fields over.
 */
@Component
class ScheduleSubmissions {

	private final ScheduleSpecFactory specs;

	ScheduleSubmissions(ScheduleSpecFactory specs) {
		this.specs = specs;
	}

	/**
	 * The definition to save.
	 * @throws InvalidScheduleException naming every invalid field
	 */
	ScheduleSpec toSpec(ScheduleSubmission submission) {
		if (submission.template() != null && submission.template().notBefore() != null) {
			// Each fire's job starts when it fires: the trigger and the jitter say when.
			throw new InvalidScheduleException("template.notBefore",
					"a schedule's template cannot have notBefore: its jobs start when it fires (see trigger and jitter)");
		}
		ScheduleSubmission.Trigger trigger = submission.trigger();
		return this.specs.create(new ScheduleDraft(submission.name(),
				(trigger != null) ? new ScheduleDraft.Trigger(trigger.cron(), trigger.timezone(), trigger.fixedRate())
						: null,
				(submission.template() != null) ? JobSubmissions.draft(submission.template()) : null,
				submission.overlap(), submission.enabled(), submission.jitter()));
	}

}
