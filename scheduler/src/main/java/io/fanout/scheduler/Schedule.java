package io.fanout.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A schedule as stored: its definition and where it stands.
 *
 * @param id time-ordered (version 7) UUID
 * @param owner the tenant it belongs to, and that owns the jobs it launches
 * @param name unique per owner
 * @param trigger when it fires
 * @param template the job submitted at each fire
 * @param overlap what to do when the job launched last is still going
 * @param enabled whether it fires (false: paused)
 * @param jitter optional random delay of each fire
 * @param nextFireAt when it fires next, jitter included; null while paused
 * @param lastFiredAt when it last launched a job
 * @param lastJobId the job it launched last
 * @param lastJobStatus that job's status now; null if it was deleted
 * @param missedCount fire times that passed while no instance could fire them (each late fire
 * launches once)
 * @param skippedCount fires that launched nothing: the previous job was still going under
 * {@link OverlapPolicy#SKIP}, or the queue was full
 * @param declared whether it is declared in configuration ({@code fanout.schedules.<name>})
 * @param createdAt when it was created
 * @param updatedAt when its definition last changed
 */
public record Schedule(UUID id, String owner, String name, ScheduleTrigger trigger, JobSpec template,
		OverlapPolicy overlap, boolean enabled, @Nullable Duration jitter, @Nullable Instant nextFireAt,
		@Nullable Instant lastFiredAt, @Nullable UUID lastJobId, @Nullable JobStatus lastJobStatus, long missedCount,
		long skippedCount, boolean declared, Instant createdAt, Instant updatedAt) {

	/** The same schedule, with its last job's status as it is now. */
	public Schedule withLastJobStatus(@Nullable JobStatus status) {
		return new Schedule(this.id, this.owner, this.name, this.trigger, this.template, this.overlap, this.enabled,
				this.jitter, this.nextFireAt, this.lastFiredAt, this.lastJobId, status, this.missedCount,
				this.skippedCount, this.declared, this.createdAt, this.updatedAt);
	}

	/** The definition, as it would be given to create this schedule again. */
	public ScheduleSpec spec() {
		return new ScheduleSpec(this.name, this.trigger, this.template, this.overlap, this.enabled, this.jitter);
	}

}
