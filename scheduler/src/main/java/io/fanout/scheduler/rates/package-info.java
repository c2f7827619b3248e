/**
 * Rates shared by every replica: the store behind fetch-service's {@code SlotLeases}.
 */
@NullMarked
package io.fanout.scheduler.rates;

import org.jspecify.annotations.NullMarked;
