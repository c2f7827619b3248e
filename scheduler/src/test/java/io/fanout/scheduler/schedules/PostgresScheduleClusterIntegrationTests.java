package io.fanout.scheduler.schedules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.PolicyLimits;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobQuery;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.OverlapPolicy;
import io.fanout.scheduler.Schedule;
import io.fanout.scheduler.ScheduleQuery;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.QueueLimit;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.support.TestNode;
import io.fanout.scheduler.support.TestProperties;
import io.fanout.test.RequiresPostgres;
import io.fanout.test.SettableClock;
import io.fanout.test.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances firing schedules against one PostgreSQL: two tickers, each with its own connection pool
 * and stores as two replicas have them, tick together a hundred times; and Fanout instances starting
 * together upsert the schedules declared in their configuration once. Time is a settable clock.
 * Skipped without a local PostgreSQL, except in CI where that fails.
 */
@RequiresPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresScheduleClusterIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final int TICKS = 100;

	private final SettableClock clock = SettableClock.startingAt2030();

	private final List<AutoCloseable> resources = new ArrayList<>();

	private TestDatabase database;

	@BeforeAll
	void startDatabase() {
		this.database = TestDatabase.postgres();
	}

	@AfterAll
	void stopDatabase() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		if (this.database != null) {
			this.database.close();
		}
	}

	@BeforeEach
	void emptyTables() {
		this.database.execute("DELETE FROM schedules");
		this.database.execute("DELETE FROM jobs");
		this.clock.set(SettableClock.startingAt2030().instant());
	}

	@Test
	void twoTickersFireEachScheduleExactlyOncePerTick() {
		SchedulerProperties properties = TestProperties.fast("max-queued-jobs", "10000");
		Replica a = replica(properties, this.database.connectionFactory());
		Replica b = replica(properties, pool());
		ScheduleTrigger everySecond = ScheduleTrigger.fixedRate(Duration.ofSeconds(1));
		List<Schedule> allowing = List.of(
				a.create("alice", ScheduleSpec.of("rate", everySecond, template()).withOverlap(OverlapPolicy.ALLOW)),
				a.create("bob", ScheduleSpec.of("rate", everySecond, template()).withOverlap(OverlapPolicy.ALLOW)),
				a.create("alice", ScheduleSpec.of("cron", ScheduleTrigger.cron("* * * * * *", ZoneId.of("Europe/Paris")),
						template()).withOverlap(OverlapPolicy.ALLOW)));
		Schedule skipping = a.create("bob", ScheduleSpec.of("skipping", everySecond, template()));

		int launched = 0;
		for (int i = 0; i < TICKS; i++) {
			this.clock.advance(Duration.ofSeconds(1));
			launched += Mono.zip(a.ticker().tick().subscribeOn(Schedulers.parallel()),
					b.ticker().tick().subscribeOn(Schedulers.parallel()), Integer::sum)
				.block(TIMEOUT);
		}

		// One job per schedule and tick: every tick time has exactly one job of each schedule.
		assertThat(launched).isEqualTo(3 * TICKS + 1);
		for (Schedule schedule : allowing) {
			List<Job> jobs = a.jobStore().list(schedule.owner(), JobQuery.all().withScheduleId(schedule.id())
				.withLimit(1000)).block(TIMEOUT).items();
			assertThat(jobs).as(schedule.name()).hasSize(TICKS);
			assertThat(jobs).extracting(Job::createdAt)
				.doesNotHaveDuplicates()
				.allSatisfy((createdAt) -> assertThat(createdAt.getNano()).isZero());
			Schedule fired = a.service().get(schedule.owner(), schedule.id()).block(TIMEOUT);
			assertThat(fired.missedCount()).isZero();
			assertThat(fired.skippedCount()).isZero();
			assertThat(fired.nextFireAt()).isEqualTo(this.clock.instant().plusSeconds(1));
		}
		// The skipping schedule's first job is still queued: every other tick was skipped, once.
		Schedule skipped = a.service().get("bob", skipping.id()).block(TIMEOUT);
		assertThat(skipped.skippedCount()).isEqualTo(TICKS - 1);
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs WHERE schedule_id = '" + skipping.id() + "'"))
			.isOne();
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM jobs")).isEqualTo(3 * TICKS + 1);
	}

	@Test
	void instancesStartingTogetherUpsertTheirDeclaredScheduleOnce() throws Exception {
		Map<String, Object> properties = new HashMap<>(this.database.r2dbcProperties());
		properties.put("fanout.scheduler.worker-enabled", "false");
		// No background tick within the test: it ticks by hand.
		properties.put("fanout.scheduler.schedule-tick-interval", "1h");
		properties.put("fanout.scheduler.schedules.prices.owner", "alice");
		properties.put("fanout.scheduler.schedules.prices.trigger.cron", "0 */5 * * * *");
		properties.put("fanout.scheduler.schedules.prices.trigger.timezone", "Europe/Paris");
		properties.put("fanout.scheduler.schedules.prices.overlap", "ALLOW");
		properties.put("fanout.scheduler.schedules.prices.template.requests[0].url", "http://127.0.0.1:1/prices");
		properties.put("fanout.scheduler.schedules.prices.template.requests[0].extract.price", "$.price");
		properties.put("fanout.scheduler.schedules.prices.template.concurrency", "2");
		properties.put("fanout.scheduler.schedules.prices.template.labels.source", "configuration");

		CompletableFuture<TestNode> startingA = CompletableFuture.supplyAsync(() -> node(properties, "node-a"));
		CompletableFuture<TestNode> startingB = CompletableFuture.supplyAsync(() -> node(properties, "node-b"));
		TestNode a = startingA.get();
		TestNode b = startingB.get();

		await().atMost(TIMEOUT).until(() -> this.database.queryForLong("SELECT COUNT(*) FROM schedules") == 1);
		// Upserting again, from either instance, changes nothing.
		assertThat(declared(a).upsert().block(TIMEOUT)).isZero();
		assertThat(declared(b).upsert().block(TIMEOUT)).isZero();
		assertThat(this.database.queryForLong("SELECT COUNT(*) FROM schedules")).isOne();

		ScheduleService schedules = b.context().getBean(ScheduleService.class);
		Schedule schedule = schedules.list("alice", ScheduleQuery.first()).block(TIMEOUT).items().get(0);
		assertThat(schedule.name()).isEqualTo("prices");
		assertThat(schedule.declared()).isTrue();
		assertThat(schedule.trigger()).isEqualTo(ScheduleTrigger.cron("0 */5 * * * *", ZoneId.of("Europe/Paris")));
		assertThat(schedule.overlap()).isEqualTo(OverlapPolicy.ALLOW);
		assertThat(schedule.template().labels()).containsEntry("source", "configuration");
		assertThat(schedule.template().policy().concurrency()).isEqualTo(2);
		assertThat(schedule.template().requests().get(0).extract()).containsEntry("price", "$.price");
		assertThat(schedule.nextFireAt()).isEqualTo("2030-01-01T00:05:00Z");

		// It fires like any other schedule, from whichever instance ticks.
		this.clock.set(Instant.parse("2030-01-01T00:05:00Z"));
		assertThat(a.context().getBean(ScheduleTicker.class).tick().block(TIMEOUT)
				+ b.context().getBean(ScheduleTicker.class).tick().block(TIMEOUT)).isOne();
		assertThat(b.jobService().list("alice", JobQuery.all().withScheduleId(schedule.id())).block(TIMEOUT).items())
			.singleElement()
			.satisfies((job) -> assertThat(job.labels()).containsEntry("source", "configuration"));
	}

	private TestNode node(Map<String, Object> properties, String nodeId) {
		Map<String, Object> all = new HashMap<>(properties);
		all.put("fanout.scheduler.node-id", nodeId);
		TestNode node = TestNode.start(all, this.clock);
		synchronized (this.resources) {
			this.resources.add(0, node);
		}
		return node;
	}

	private static ConfiguredSchedules declared(TestNode node) {
		return node.context().getBean(ConfiguredSchedules.class);
	}

	/** One replica's view of the database: its own stores and ticker on this connection factory. */
	private Replica replica(SchedulerProperties properties, io.r2dbc.spi.ConnectionFactory connectionFactory) {
		Database database = new Database(connectionFactory);
		this.resources.add(0, database);
		R2dbcJobRepository jobStore = new R2dbcJobRepository(database);
		R2dbcScheduleStore store = new R2dbcScheduleStore(database);
		ScheduleFiring firing = new ScheduleFiring(database, store, jobStore,
				new QueueLimit(jobStore, properties.maxQueuedJobs(), properties.queueFullRetryAfter()));
		ScheduleSpecFactory specs = new ScheduleSpecFactory(
				new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(FetchPolicy.DEFAULT.maxBodySize()),
						properties.maxRequestsPerJob()),
				properties.minFixedRate(), this.clock);
		DefaultScheduleService service = new DefaultScheduleService(store, jobStore, firing, specs, this.clock, () -> {
		});
		ScheduleTicker ticker = new ScheduleTicker(store, firing, properties, this.clock,
				new ConfiguredSchedules(Map.of(), specs, store, this.clock), () -> {
				});
		return new Replica(jobStore, service, ticker);
	}

	/** A second connection pool on the test database, as another replica has. */
	private io.r2dbc.spi.ConnectionFactory pool() {
		ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(this.database.r2dbcUrl())
			.mutate()
			.option(ConnectionFactoryOptions.USER, "postgres")
			.build();
		ConnectionPool pool = new ConnectionPool(
				ConnectionPoolConfiguration.builder(ConnectionFactories.get(options)).maxSize(10).build());
		this.resources.add(() -> pool.disposeLater().block(TIMEOUT));
		return pool;
	}

	private static JobSpec template() {
		return JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1/tick")), FetchPolicy.DEFAULT);
	}

	private record Replica(R2dbcJobRepository jobStore, DefaultScheduleService service, ScheduleTicker ticker) {

		Schedule create(String owner, ScheduleSpec spec) {
			return this.service.create(owner, spec).block(TIMEOUT);
		}

	}

}
