/**
 * The jobs resource, {@code /api/v1/jobs}: submitting, reading, listing, cancelling and deleting jobs,
 * and reading their results as pages or live streams. Request and response records map to and from
 * the scheduler's model; request headers given in a job are never part of any response.
 */
@NullMarked
package io.fanout.api.jobs;

import org.jspecify.annotations.NullMarked;
