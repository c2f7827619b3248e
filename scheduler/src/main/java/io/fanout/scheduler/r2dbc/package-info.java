/**
 * What every store shares to reach the database: the client, reactive transactions, the dialect, and
 * the hand-off that keeps the embedded H2 driver off Reactor's threads.
 */
@NullMarked
package io.fanout.scheduler.r2dbc;

import org.jspecify.annotations.NullMarked;
