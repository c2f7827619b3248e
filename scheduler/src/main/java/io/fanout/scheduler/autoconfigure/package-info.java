/**
 * Auto-configuration of the scheduler, and the embedded-database defaults derived from
 * {@code fanout.data-dir}.
 */
@NullMarked
package io.fanout.scheduler.autoconfigure;

import org.jspecify.annotations.NullMarked;
