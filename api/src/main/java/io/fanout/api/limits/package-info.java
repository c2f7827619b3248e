/**
 * The limits resource, {@code /api/v1/limits}: the calling tenant's quotas and what it uses of them,
 * read-only.
 */
@NullMarked
package io.fanout.api.limits;

import org.jspecify.annotations.NullMarked;
