/**
 * Fanout's durable jobs: the client API ({@link io.fanout.scheduler.JobService}), the job and result
 * model, the state machine, settings and exceptions. Implementation lives in the sub-packages.
 */
@NullMarked
package io.fanout.scheduler;

import org.jspecify.annotations.NullMarked;
