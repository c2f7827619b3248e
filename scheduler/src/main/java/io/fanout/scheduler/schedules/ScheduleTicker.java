package io.fanout.scheduler.schedules;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.r2dbc.TimeOrderedIds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;

/**
 * Fires due schedules. Every instance runs one: every {@code schedule-tick-interval} (a second),
 * aligned on the clock, it reads the schedules due by now (one indexed query) and fires each, and
 * the store lets exactly one instance win each fire time. At start it also upserts the schedules
 * declared in configuration, trying again until the database takes them.
 * <p>
 * Time comes from the injected {@link Clock}; {@link #tick()} fires what is due now, so tests move the
 * clock and tick instead of waiting.
 */
public final class ScheduleTicker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ScheduleTicker.class);

	/** Due schedules read per query. */
	static final int BATCH = 100;

	/** Schedules of one batch fired at once, each in a transaction of its own. */
	private static final int CONCURRENT_FIRES = 4;

	private final ScheduleStore store;

	private final ScheduleFiring firing;

	private final SchedulerProperties properties;

	private final Clock clock;

	private final ConfiguredSchedules configured;

	private final Runnable onLaunch;

	private final TimeOrderedIds ids;

	private volatile Disposable loops = Disposables.disposed();

	private volatile boolean started;

	/**
	 * @param firing what a fire does
	 * @param configured the schedules declared in configuration, upserted at start
	 * @param onLaunch called after a job was launched, to have a local worker look at the queue now
	 */
	public ScheduleTicker(ScheduleStore store, ScheduleFiring firing, SchedulerProperties properties, Clock clock,
			ConfiguredSchedules configured, Runnable onLaunch) {
		this.store = store;
		this.firing = firing;
		this.properties = properties;
		this.clock = clock;
		this.configured = configured;
		this.onLaunch = onLaunch;
		this.ids = new TimeOrderedIds(clock);
	}

	@Override
	public void start() {
		if (this.started) {
			return;
		}
		this.started = true;
		Duration interval = this.properties.scheduleTickInterval();
		long millis = interval.toMillis();
		// The first tick on the next multiple of the interval: replicas tick at about the same time.
		Duration untilAligned = Duration.ofMillis(millis - Math.floorMod(this.clock.millis(), millis));
		Disposable.Composite loops = Disposables.composite();
		loops.add(Flux.interval(untilAligned, interval)
			.onBackpressureDrop()
			.concatMap((tick) -> tick().onErrorResume((ex) -> {
				logger.warn("Firing due schedules failed: " + ex);
				return Mono.empty();
			}), 1)
			.subscribe());
		if (!this.configured.isEmpty()) {
			loops.add(this.configured.upsert()
				.doOnError((ex) -> logger.warn("Upserting the schedules declared in configuration failed; trying "
						+ "again: " + ex))
				.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
				.subscribe());
		}
		this.loops = loops;
	}

	@Override
	public void stop() {
		// A fire cut short rolls back as a whole: its fire time stays due for the next tick, anywhere.
		this.loops.dispose();
		this.started = false;
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	/**
	 * Fires every schedule due by now, each once, however late (the fire times it missed are
	 * counted, not fired).
	 * @return how many jobs this instance launched
	 */
	public Mono<Integer> tick() {
		return Mono.defer(() -> {
			Instant now = this.clock.instant();
			// A full batch may mean more are due; a batch that claimed nothing means the rest is another's.
			return fireBatch(now)
				.expand((batch) -> (batch.read() == BATCH && batch.claimed() > 0) ? fireBatch(now) : Mono.empty())
				.map(Batch::launched)
				.reduce(0, Integer::sum);
		});
	}

	private Mono<Batch> fireBatch(Instant now) {
		return this.store.findDue(now, BATCH)
			// Next fire times are computed off the database driver's threads (event loops, for PostgreSQL).
			.publishOn(Schedulers.parallel())
			.flatMap((due) -> fire(due, now), CONCURRENT_FIRES)
			.collectList()
			.map((results) -> batch(results));
	}

	private Mono<FireResult> fire(DueSchedule due, Instant now) {
		ScheduleFiring.Next next = ScheduleFiring.next(due, now);
		return this.firing.fire(due, next.fire(), next.missed(), this.ids.next(), now)
			.flatMap((result) -> {
				report(due, next, result);
				return (result.outcome() == FireResult.Outcome.LAUNCHED)
						? this.firing.launched(result, now, this.onLaunch).thenReturn(result) : Mono.just(result);
			})
			.onErrorResume((ex) -> {
				// Rolled back: the fire time stays due, for the next tick.
				logger.warn("Firing schedule " + due.id() + " failed: " + ex);
				return Mono.empty();
			});
	}

	private static void report(DueSchedule due, ScheduleFiring.Next next, FireResult result) {
		if (result.outcome() == FireResult.Outcome.NOT_CLAIMED) {
			return;
		}
		if (next.missed() > 0) {
			logger.info("Schedule " + due.id() + " came due late (fire time " + due.nominal() + "): " + next.missed()
					+ " later fire time(s) had passed; they are counted as missed, not fired");
		}
		switch (result.outcome()) {
			case SKIPPED_OVERLAP -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Schedule " + due.id() + " skipped: job " + result.previousJobId() + " is still "
							+ result.previousStatus());
				}
			}
			case SKIPPED_QUEUE_FULL -> logger.warn("Schedule " + due.id() + " skipped: "
					+ ((result.refusal() != null) ? result.refusal().getMessage() : "the job queue is full"));
			default -> {
				if (logger.isDebugEnabled() && result.job() != null) {
					logger.debug("Schedule " + due.id() + " launched job " + result.job().id());
				}
			}
		}
	}

	private static Batch batch(List<FireResult> results) {
		int claimed = 0;
		int launched = 0;
		for (FireResult result : results) {
			if (result.outcome() != FireResult.Outcome.NOT_CLAIMED) {
				claimed++;
			}
			if (result.outcome() == FireResult.Outcome.LAUNCHED) {
				launched++;
			}
		}
		return new Batch(results.size(), claimed, launched);
	}

	/** What one batch of due schedules came to. Failed fires are not counted as read. */
	private record Batch(int read, int claimed, int launched) {
	}

}
