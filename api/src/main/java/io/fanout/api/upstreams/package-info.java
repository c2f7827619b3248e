/**
 * The upstreams resource: what the tenant's requests meet at the hosts they go to.
 */
@NullMarked
package io.fanout.api.upstreams;

import org.jspecify.annotations.NullMarked;
