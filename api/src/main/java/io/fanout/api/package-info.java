/**
 * The Fanout application. Features live in sub-packages: {@code jobs} (the REST resources),
 * {@code problems} (RFC 9457 error responses), {@code security}, {@code openapi} and {@code demo}.
 */
@NullMarked
package io.fanout.api;

import org.jspecify.annotations.NullMarked;
