package io.fanout.api.schedules;

import java.util.ArrayList;
import java.util.List;

import io.fanout.api.jobs.JobSubmissions;
import io.fanout.fetch.Violation;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobDraft;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleDraft;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleSpecFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Turns a {@link ScheduleSubmission} into the scheduler's {@link ScheduleSpec}. The rules (every
 * invalid field by its path, the template checked as a job would be) are the scheduler's
 * {@link ScheduleSpecFactory}'s; this class only carries the API's fields over, the template's through
 * {@link JobSubmissions}, which keeps the stored header values and bodies a template sent back names.
 */
@Component
class ScheduleSubmissions {

	private final ScheduleSpecFactory specs;

	ScheduleSubmissions(ScheduleSpecFactory specs) {
		this.specs = specs;
	}

	/**
	 * The definition to save.
	 * @param stored the template saved so far ({@code PUT}), or {@code null} for a new schedule
	 * @throws InvalidScheduleException naming every invalid field
	 */
	ScheduleSpec toSpec(ScheduleSubmission submission, @Nullable JobSpec stored) {
		if (submission.template() != null && submission.template().notBefore() != null) {
			// Each fire's job starts when it fires: the trigger and the jitter say when.
			throw new InvalidScheduleException("template.notBefore",
					"a schedule's template cannot have notBefore: its jobs start when it fires (see trigger and jitter)");
		}
		List<Violation> kept = new ArrayList<>();
		JobDraft template = (submission.template() != null)
				? JobSubmissions.draft(submission.template(), stored, kept) : null;
		ScheduleSubmission.Trigger trigger = submission.trigger();
		List<Violation> violations = kept.stream().map((violation) -> violation.under("template")).toList();
		ScheduleSpec spec;
		try {
			spec = this.specs.create(new ScheduleDraft(submission.name(),
					(trigger != null) ? new ScheduleDraft.Trigger(trigger.cron(), trigger.timezone(), trigger.fixedRate())
							: null,
					template, submission.overlap(), submission.enabled(), submission.jitter()));
		}
		catch (InvalidScheduleException ex) {
			if (violations.isEmpty()) {
				throw ex;
			}
			List<Violation> all = new ArrayList<>(violations);
			all.addAll(ex.violations());
			throw new InvalidScheduleException(all);
		}
		if (!violations.isEmpty()) {
			throw new InvalidScheduleException(violations);
		}
		return spec;
	}

}
