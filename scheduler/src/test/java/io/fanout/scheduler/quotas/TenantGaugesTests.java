package io.fanout.scheduler.quotas;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.jobs.NewJob;
import io.fanout.scheduler.support.SchedulerFixture;
import io.fanout.test.TestIds;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

class TenantGaugesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	static final SchedulerFixture fixture = SchedulerFixture.h2();

	@Test
	void theBusiestTenantsHaveGaugesOfTheirOwnAndTheRestAreSummedUnderOther() {
		Instant now = fixture.clock().instant();
		queue("busy", 3, now);
		queue("middling", 2, now);
		queue("quiet", 1, now);
		queue("quieter", 1, now);
		fixture.queue().claim("node", 1, now, now.plusSeconds(30)).blockLast(TIMEOUT);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		TenantGauges gauges = new TenantGauges(fixture.jobs(), registry, 2);

		gauges.refresh().block(TIMEOUT);

		assertThat(value(registry, "busy", "queued") + value(registry, "busy", "running")).isEqualTo(3);
		assertThat(value(registry, "middling", "queued") + value(registry, "middling", "running")).isEqualTo(2);
		assertThat(value(registry, TenantGauges.OTHER, "queued") + value(registry, TenantGauges.OTHER, "running"))
			.isEqualTo(2);
		assertThat(registry.find("fanout.tenant.jobs").gauges()).hasSize(6);

		// A tenant with nothing left queued or running loses its gauges.
		fixture.database().execute("DELETE FROM jobs WHERE owner = 'middling'");
		gauges.refresh().block(TIMEOUT);
		assertThat(registry.find("fanout.tenant.jobs").tag("tenant", "middling").gauges()).isEmpty();
	}

	private void queue(String owner, int jobs, Instant now) {
		JobSpec spec = JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:9/")), FetchPolicy.DEFAULT);
		for (int i = 0; i < jobs; i++) {
			fixture.jobs().insert(new NewJob(TestIds.next(now), owner, spec, null, null, now)).block(TIMEOUT);
		}
	}

	private static double value(SimpleMeterRegistry registry, String tenant, String state) {
		Gauge gauge = registry.find("fanout.tenant.jobs").tag("tenant", tenant).tag("state", state).gauge();
		return (gauge != null) ? gauge.value() : 0;
	}

}
