package io.fanout.scheduler.jobs;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobSpec;

/**
 * A job a worker just claimed: the job as stored, what to run, and the fence for its writes.
 *
 * @param job the job, {@code RUNNING} under the claimer's lease
 * @param spec its requests and policy
 * @param fence owner and attempt of the claim
 */
public record ClaimedJob(Job job, JobSpec spec, Fence fence) {

}
