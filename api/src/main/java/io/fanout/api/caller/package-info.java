/**
 * Who the caller is: the tenant its credentials act for, and its access.
 */
@NullMarked
package io.fanout.api.caller;

import org.jspecify.annotations.NullMarked;
