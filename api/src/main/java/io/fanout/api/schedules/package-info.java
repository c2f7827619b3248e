/**
 * The schedules resource, {@code /api/v1/schedules}: creating, reading, listing, replacing, pausing,
 * resuming, triggering and deleting schedules, which submit a job periodically. Request and response
 * records map to and from the scheduler's model; the job template takes the body of
 * {@code POST /api/v1/jobs}, and request headers given in it are never part of any response.
 */
@NullMarked
package io.fanout.api.schedules;

import org.jspecify.annotations.NullMarked;
