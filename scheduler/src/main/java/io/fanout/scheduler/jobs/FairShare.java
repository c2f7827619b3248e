package io.fanout.scheduler.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fanout.scheduler.QuotaProperties;

/**
 * Which tenants the next claimed jobs go to: weighted fair share. Slot by slot, the tenant with jobs
 * waiting and room under its running-jobs quota whose running jobs per weight are fewest gets the
 * next one; of tenants equal in that, the one whose oldest job has waited longest. A tenant's
 * {@code priority} orders its own jobs only, never another tenant's.
 * <p>
 * Pure: computed from loads read from the database, so every replica computes the same from the
 * same loads; the claim then re-checks each tenant's running jobs under a lock of the tenant
 * (PostgreSQL), which is what keeps the quota cluster-wide.
 */
final class FairShare {

	private final QuotaProperties quotas;

	FairShare(QuotaProperties quotas) {
		this.quotas = quotas;
	}

	/**
	 * How many of {@code slots} free slots each tenant gets, in the order to claim them: the tenant
	 * that is furthest below its share first.
	 */
	Map<String, Integer> plan(List<TenantLoad> loads, int slots) {
		List<Share> shares = new ArrayList<>(loads.size());
		for (TenantLoad load : loads) {
			QuotaProperties.Quota quota = this.quotas.of(load.owner());
			long room = Math.min(load.queued(), Math.max(0, quota.runningJobs() - load.running()));
			if (room > 0) {
				shares.add(new Share(load.owner(), load.running(), quota.weight(), room,
						(load.oldestQueued() != null) ? load.oldestQueued() : Instant.MAX));
			}
		}
		Map<String, Integer> plan = new LinkedHashMap<>();
		Comparator<Share> order = Share::compareTo;
		for (int slot = 0; slot < slots; slot++) {
			Share next = null;
			for (Share share : shares) {
				if (share.room > 0 && (next == null || order.compare(share, next) < 0)) {
					next = share;
				}
			}
			if (next == null) {
				break;
			}
			next.running++;
			next.room--;
			plan.merge(next.owner, 1, Integer::sum);
		}
		return plan;
	}

	private static final class Share implements Comparable<Share> {

		final String owner;

		long running;

		final long weight;

		long room;

		final Instant oldest;

		Share(String owner, long running, long weight, long room, Instant oldest) {
			this.owner = owner;
			this.running = running;
			this.weight = weight;
			this.room = room;
			this.oldest = oldest;
		}

		/** Fewer running per weight first (cross-multiplied, exact); then the longest waiting. */
		@Override
		public int compareTo(Share other) {
			int byShare = Long.compare(this.running * other.weight, other.running * this.weight);
			if (byShare != 0) {
				return byShare;
			}
			int byAge = this.oldest.compareTo(other.oldest);
			return (byAge != 0) ? byAge : this.owner.compareTo(other.owner);
		}

	}

}
