package io.fanout.scheduler;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A schedule as a caller writes it, before anything is checked: the body of
 * {@code POST /api/v1/schedules}, or a declaration in configuration. {@link ScheduleSpecFactory}
 * makes a {@link ScheduleSpec} of it, or reports every invalid part.
 *
 * @param name unique per owner
 * @param trigger when it fires
 * @param template the job it submits at each fire
 * @param overlap what to do when the previous job is still going ({@code SKIP} when left out)
 * @param enabled whether it fires (true when left out)
 * @param jitter optional random delay of each fire
 */
public record ScheduleDraft(@Nullable String name, @Nullable Trigger trigger, @Nullable JobDraft template,
		@Nullable OverlapPolicy overlap, @Nullable Boolean enabled, @Nullable Duration jitter) {

	/**
	 * When a schedule fires, as written: exactly one of {@code cron} and {@code fixedRate}.
	 *
	 * @param cron six-field Spring cron expression
	 * @param timezone the zone a cron expression is read in ({@code UTC} when left out); only for cron
	 * @param fixedRate time between fires
	 */
	public record Trigger(@Nullable String cron, @Nullable String timezone, @Nullable Duration fixedRate) {
	}

}
