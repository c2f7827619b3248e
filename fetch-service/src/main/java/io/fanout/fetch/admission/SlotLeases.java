package io.fanout.fetch.admission;

import java.time.Duration;
import java.time.Instant;

import reactor.core.publisher.Mono;

/**
 * A store of rate slots shared by every replica, so that a rate of a host or of a flow key holds for
 * the cluster, not for each replica. Each key has one line of slots, one interval apart; a replica
 * leases a few at a time and spends them at their times. Times are the store's: replicas need not
 * agree on the time, only measure how far theirs is from the store's. Without a store, rates hold
 * per process.
 */
public interface SlotLeases {

	/**
	 * Leases the next {@code count} free slots of {@code key}, {@code interval} apart, none sooner
	 * than {@code lead} from now: a replica asks for slots it will have learnt of before they come.
	 * @return the lease; an error if the store cannot be reached, in which case the replica paces
	 * alone for a while
	 */
	Mono<Lease> lease(String key, Duration interval, int count, Duration lead);

	/**
	 * Slots leased, on the store's clock.
	 *
	 * @param first the first slot; the others follow one interval apart
	 * @param now the store's time when it leased them
	 */
	record Lease(Instant first, Instant now) {
	}

}
