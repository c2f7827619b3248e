/**
 * The job store: R2DBC over H2 or PostgreSQL, with Flyway migrations. Every write of a running job is
 * fenced by the lease owner and the attempt.
 */
@NullMarked
package io.fanout.scheduler.store;

import org.jspecify.annotations.NullMarked;
