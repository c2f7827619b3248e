/**
 * Test fixtures shared by every module: {@link io.fanout.test.TestUpstream}, a real HTTP server on a
 * loopback address; {@link io.fanout.test.TestDatabase} and {@link io.fanout.test.RequiresPostgres}
 * for migrated H2 and PostgreSQL databases; {@link io.fanout.test.SettableClock} and
 * {@link io.fanout.test.TestIds}; and {@link io.fanout.test.BlockHoundInstalledTests}, which each
 * module's build runs (surefire's {@code dependenciesToScan}) to prove its tests run under BlockHound.
 */
@NullMarked
package io.fanout.test;

import org.jspecify.annotations.NullMarked;
