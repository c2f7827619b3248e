package io.fanout.scheduler.schedules;

import java.util.UUID;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.SchedulerException;
import org.jspecify.annotations.Nullable;

/**
 * What firing a schedule did.
 *
 * @param outcome what happened
 * @param job the job launched, for {@link Outcome#LAUNCHED}
 * @param previousJobId the job launched before, if it was still going when this fire came: skipped
 * for, cancelled, or left running
 * @param previousStatus that job's status when this fire came
 * @param previousCancelled whether that job was flagged for cancellation
 * ({@link io.fanout.scheduler.OverlapPolicy#CANCEL_PREVIOUS})
 * @param refusal why nothing was launched, for {@link Outcome#SKIPPED_QUEUE_FULL}: the queue's or the
 * tenant's quota's refusal, as the client should hear it
 */
public record FireResult(Outcome outcome, @Nullable Job job, @Nullable UUID previousJobId,
		@Nullable JobStatus previousStatus, boolean previousCancelled, @Nullable SchedulerException refusal) {

	/** What happened. */
	public enum Outcome {

		/** A job was inserted. */
		LAUNCHED,

		/** Nothing was launched: the previous job is still going and the overlap policy is SKIP. */
		SKIPPED_OVERLAP,

		/** Nothing was launched: the job queue is full, or the owner is at one of its job quotas. */
		SKIPPED_QUEUE_FULL,

		/** Another replica fired it first, or its definition changed since it was read: nothing was done. */
		NOT_CLAIMED,

		/** No such schedule for the owner. */
		NOT_FOUND

	}

	static FireResult of(Outcome outcome) {
		return new FireResult(outcome, null, null, null, false, null);
	}

}
