/**
 * Health contributions of Fanout's own: liveness follows the embedded database, which H2 closes for
 * good after a fatal error.
 */
@NullMarked
package io.fanout.api.health;

import org.jspecify.annotations.NullMarked;
