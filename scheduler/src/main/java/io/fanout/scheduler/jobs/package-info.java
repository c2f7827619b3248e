/**
 * The {@link io.fanout.scheduler.JobService} on top of the job store.
 */
@NullMarked
package io.fanout.scheduler.jobs;

import org.jspecify.annotations.NullMarked;
