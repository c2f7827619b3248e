/**
 * The HTTP server's own limits: how long it waits for a slow client's request.
 */
@NullMarked
package io.fanout.api.server;

import org.jspecify.annotations.NullMarked;
