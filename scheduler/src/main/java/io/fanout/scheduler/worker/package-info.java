/**
 * Workers: claim queued jobs under a lease, run them through the {@code FetchClient}, write results in
 * batches, notice cancellation and deadlines, release or resume.
 */
@NullMarked
package io.fanout.scheduler.worker;

import org.jspecify.annotations.NullMarked;
