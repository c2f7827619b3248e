/**
 * Job callbacks: the outbox written with the job's own changes, its delivery store, the worker that
 * sends signed deliveries, and the service the API uses.
 */
@NullMarked
package io.fanout.scheduler.callbacks;

import org.jspecify.annotations.NullMarked;
