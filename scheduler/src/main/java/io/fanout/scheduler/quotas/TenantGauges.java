package io.fanout.scheduler.quotas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.jobs.TenantLoad;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Gauges {@code fanout.tenant.jobs} of each tenant's queued and running jobs (tags {@code tenant},
 * {@code state}), read from the database, so every replica reports the cluster's counts. The
 * {@code maxTenants} busiest tenants get gauges of their own, the rest are summed under
 * {@value #OTHER}: a registry never holds more than {@code 2 × (maxTenants + 1)} of them, however
 * many tenants there are. A tenant with nothing queued or running has no gauge.
 */
public final class TenantGauges implements AutoCloseable {

	/** The tenant the tenants beyond {@code maxTenants} are summed under. */
	public static final String OTHER = "_other";

	private static final Log logger = LogFactory.getLog(TenantGauges.class);

	private final JobRepository jobs;

	private final int maxTenants;

	private final MultiGauge gauges;

	private volatile Disposable refreshing = () -> {
	};

	public TenantGauges(JobRepository jobs, MeterRegistry registry, int maxTenants) {
		this.jobs = jobs;
		this.maxTenants = maxTenants;
		this.gauges = MultiGauge.builder("fanout.tenant.jobs")
			.description("Jobs of a tenant queued or running, all instances together")
			.register(registry);
	}

	/** Reads the counts now and updates the gauges. */
	public Mono<Void> refresh() {
		return this.jobs.loads().doOnNext(this::update).then();
	}

	/** Refreshes every {@code interval} until closed; a failed read keeps the last values. */
	public void start(Duration interval) {
		this.refreshing = Flux.interval(Duration.ZERO, interval)
			.onBackpressureDrop()
			.concatMap((tick) -> refresh().onErrorResume((ex) -> {
				logger.debug("Reading the tenants' job counts failed: " + ex);
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	private void update(List<TenantLoad> loads) {
		List<TenantLoad> busiest = new ArrayList<>(loads);
		busiest.sort(Comparator.comparingLong((TenantLoad load) -> load.queued() + load.running())
			.reversed()
			.thenComparing(TenantLoad::owner));
		List<MultiGauge.Row<?>> rows = new ArrayList<>();
		long otherQueued = 0;
		long otherRunning = 0;
		for (int i = 0; i < busiest.size(); i++) {
			TenantLoad load = busiest.get(i);
			if (i < this.maxTenants) {
				rows.add(MultiGauge.Row.of(Tags.of("tenant", load.owner(), "state", "queued"), load.queued()));
				rows.add(MultiGauge.Row.of(Tags.of("tenant", load.owner(), "state", "running"), load.running()));
			}
			else {
				otherQueued += load.queued();
				otherRunning += load.running();
			}
		}
		if (busiest.size() > this.maxTenants) {
			rows.add(MultiGauge.Row.of(Tags.of("tenant", OTHER, "state", "queued"), otherQueued));
			rows.add(MultiGauge.Row.of(Tags.of("tenant", OTHER, "state", "running"), otherRunning));
		}
		this.gauges.register(rows, true);
	}

	@Override
	public void close() {
		this.refreshing.dispose();
	}

}
