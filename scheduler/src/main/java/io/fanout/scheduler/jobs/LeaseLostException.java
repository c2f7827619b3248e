package io.fanout.scheduler.jobs;

import io.fanout.scheduler.SchedulerException;

/**
 * A fenced write refused: the job is no longer running under this owner and attempt (its lease
 * expired and it was requeued or taken over, or it finished). The worker must stop its copy.
 */
public class LeaseLostException extends SchedulerException {

	private final Fence fence;

	public LeaseLostException(Fence fence) {
		super(fence.jobId(), "node " + fence.node() + " no longer holds job " + fence.jobId() + " (attempt "
				+ fence.attempt() + ")");
		this.fence = fence;
	}

	/** The fence that no longer holds. */
	public Fence fence() {
		return this.fence;
	}

}
