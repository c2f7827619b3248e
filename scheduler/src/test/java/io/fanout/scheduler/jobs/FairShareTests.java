package io.fanout.scheduler.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.QuotaProperties.TenantQuota;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FairShareTests {

	private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

	private final FairShare defaults = new FairShare(QuotaProperties.defaults());

	@Test
	void aTenantWithNothingRunningGoesFirstWhateverTheOthersQueued() {
		Map<String, Integer> plan = this.defaults.plan(
				List.of(load("a", 50, 4, T0), load("b", 1, 0, T0.plusSeconds(60))), 1);

		assertThat(plan).containsExactly(Map.entry("b", 1));
	}

	@Test
	void freeSlotsAreSharedRoundRobinAmongEqualTenantsLongestWaitingFirst() {
		Map<String, Integer> plan = this.defaults.plan(List.of(load("a", 10, 0, T0.plusSeconds(2)),
				load("b", 10, 0, T0), load("c", 10, 0, T0.plusSeconds(1))), 7);

		assertThat(plan).containsExactly(Map.entry("b", 3), Map.entry("c", 2), Map.entry("a", 2));
	}

	@Test
	void weightsShareTheSlotsInProportion() {
		FairShare weighted = new FairShare(quotas(Map.of("heavy", new TenantQuota(null, null, null, null, null, 3))));

		Map<String, Integer> plan = weighted.plan(List.of(load("heavy", 100, 0, T0), load("light", 100, 0, T0)), 8);

		assertThat(plan).containsEntry("heavy", 6).containsEntry("light", 2);
	}

	@Test
	void aTenantGetsNoMoreThanItsRunningJobsQuotaLeavesRoomForNorMoreThanItQueued() {
		FairShare capped = new FairShare(quotas(Map.of("a", new TenantQuota(null, 3, null, null, null, null))));

		Map<String, Integer> plan = capped.plan(List.of(load("a", 10, 2, T0), load("b", 2, 0, T0)), 10);

		assertThat(plan).containsOnly(Map.entry("b", 2), Map.entry("a", 1));
	}

	@Test
	void aTenantAtItsQuotaOrWithNothingQueuedGetsNothing() {
		FairShare capped = new FairShare(quotas(Map.of("a", new TenantQuota(null, 2, null, null, null, null))));

		assertThat(capped.plan(List.of(load("a", 10, 2, T0), load("b", 0, 3, null)), 4)).isEmpty();
	}

	private static TenantLoad load(String owner, long queued, long running, Instant oldest) {
		return new TenantLoad(owner, queued, running, oldest);
	}

	private static QuotaProperties quotas(Map<String, TenantQuota> tenants) {
		return new QuotaProperties(QuotaProperties.Quota.DEFAULT, tenants, Duration.ofSeconds(5), 50,
				Duration.ofSeconds(10));
	}

}
