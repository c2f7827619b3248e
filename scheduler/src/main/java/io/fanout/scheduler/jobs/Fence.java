package io.fanout.scheduler.jobs;

import java.util.UUID;

/**
 * The claim a worker holds on a running job: every write it makes names these, and the store refuses
 * it unless the job is still running under the same owner and attempt.
 *
 * @param jobId the job
 * @param node the lease owner
 * @param attempt the claim's attempt number
 */
public record Fence(UUID jobId, String node, int attempt) {

}
