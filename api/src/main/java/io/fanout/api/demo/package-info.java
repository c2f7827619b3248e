/**
 * The {@code demo} profile's built-in slow upstream, so that the README's example runs without the
 * internet. Nothing here exists outside that profile.
 */
@NullMarked
package io.fanout.api.demo;

import org.jspecify.annotations.NullMarked;
