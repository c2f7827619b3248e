/**
 * The dashboard: static pages under {@code /ui/} that use the public API with the signed-in key.
 */
@NullMarked
package io.fanout.api.dashboard;

import org.jspecify.annotations.NullMarked;
