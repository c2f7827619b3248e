package io.fanout.scheduler.support;

import java.util.List;
import java.util.function.Supplier;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.jobs.QueueLimit;
import io.fanout.scheduler.jobs.R2dbcJobQueue;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.jobs.ResultFeed;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.schedules.ConfiguredSchedules;
import io.fanout.scheduler.schedules.DefaultScheduleService;
import io.fanout.scheduler.schedules.R2dbcScheduleStore;
import io.fanout.scheduler.schedules.ScheduleFiring;
import io.fanout.scheduler.schedules.ScheduleTicker;
import io.fanout.scheduler.worker.JobWorker;
import io.fanout.test.SettableClock;
import io.fanout.test.TestDatabase;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The usual fixture of scheduler tests, as a JUnit extension: a migrated database of the test
 * class's own, the stores on it, a settable clock, a real upstream on 127.0.0.1 and a fetch client
 * that may reach it (nothing else); every table emptied before each test. Services, workers and
 * tickers are built on it with the properties a test asks for.
 * <p>
 * {@code @RegisterExtension static final SchedulerFixture fixture = SchedulerFixture.h2();}
 */
public final class SchedulerFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

	private final Supplier<TestDatabase> databases;

	private final SettableClock clock = SettableClock.startingAt2030();

	private TestDatabase database;

	private Database db;

	private R2dbcJobRepository jobs;

	private R2dbcJobQueue queue;

	private final ResultFeed feed = new ResultFeed();

	private R2dbcScheduleStore schedules;

	private TestUpstream upstream;

	private ReactorFetchClient fetchClient;

	private SchedulerFixture(Supplier<TestDatabase> databases) {
		this.databases = databases;
	}

	/** On an in-memory H2 database. */
	public static SchedulerFixture h2() {
		return new SchedulerFixture(TestDatabase::h2);
	}

	/** On a schema of its own in the local PostgreSQL (skipped, or failed in CI, without it). */
	public static SchedulerFixture postgres() {
		return new SchedulerFixture(TestDatabase::postgres);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.database = this.databases.get();
		this.db = new Database(this.database.connectionFactory());
		this.jobs = new R2dbcJobRepository(this.db);
		this.queue = new R2dbcJobQueue(this.db, this.feed);
		this.schedules = new R2dbcScheduleStore(this.db);
		this.upstream = new TestUpstream();
		this.fetchClient = ReactorFetchClient.builder()
			.addressRule(AddressRule.allowing(List.of("127.0.0.1/32")))
			.eventLoopThreads(2)
			.clock(this.clock)
			.build();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.database.execute("DELETE FROM schedules");
		this.database.execute("DELETE FROM jobs");
		this.database.execute("DELETE FROM tenant_usage");
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.fetchClient != null) {
			this.fetchClient.close();
		}
		if (this.upstream != null) {
			this.upstream.close();
		}
		if (this.db != null) {
			this.db.close();
		}
		if (this.database != null) {
			this.database.close();
		}
	}

	public SettableClock clock() {
		return this.clock;
	}

	/** The database, for SQL of the test's own. */
	public TestDatabase database() {
		return this.database;
	}

	/** What the stores share. */
	public Database db() {
		return this.db;
	}

	public R2dbcJobRepository jobs() {
		return this.jobs;
	}

	public R2dbcJobQueue queue() {
		return this.queue;
	}

	/** The feed the queue publishes to, shared by the services and workers built here. */
	public ResultFeed feed() {
		return this.feed;
	}

	public R2dbcScheduleStore schedules() {
		return this.schedules;
	}

	public TestUpstream upstream() {
		return this.upstream;
	}

	public ReactorFetchClient fetchClient() {
		return this.fetchClient;
	}

	/** Jobs made with the engine's defaults and these settings' limits. */
	public JobSpecFactory jobSpecs(SchedulerProperties properties) {
		return new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(10 * 1024 * 1024),
				properties.maxRequestsPerJob());
	}

	public ScheduleSpecFactory scheduleSpecs(SchedulerProperties properties) {
		return new ScheduleSpecFactory(jobSpecs(properties), properties.minFixedRate(), this.clock);
	}

	public QueueLimit queueLimit(SchedulerProperties properties) {
		return new QueueLimit(this.jobs, properties.maxQueuedJobs(), properties.queueFullRetryAfter());
	}

	public DefaultJobService jobService(SchedulerProperties properties, Runnable onSubmit) {
		return new DefaultJobService(this.jobs, jobSpecs(properties), queueLimit(properties), properties, this.feed,
				this.clock, onSubmit);
	}

	/** A worker, not started: tests start it, or drive its hooks themselves. */
	public JobWorker worker(SchedulerProperties properties, String nodeId) {
		return new JobWorker(this.queue, this.fetchClient, properties, this.clock, MemoryBudget.UNLIMITED, this.feed,
				nodeId);
	}

	public ScheduleFiring firing(SchedulerProperties properties) {
		return new ScheduleFiring(this.db, this.schedules, this.jobs, queueLimit(properties));
	}

	public DefaultScheduleService scheduleService(SchedulerProperties properties, Runnable onLaunch) {
		return new DefaultScheduleService(this.schedules, this.jobs, firing(properties), scheduleSpecs(properties),
				this.clock, onLaunch);
	}

	/** A ticker with no schedule declared in configuration, not started. */
	public ScheduleTicker ticker(SchedulerProperties properties, Runnable onLaunch) {
		ConfiguredSchedules none = new ConfiguredSchedules(properties.schedules(), scheduleSpecs(properties),
				this.schedules, this.clock);
		return new ScheduleTicker(this.schedules, firing(properties), properties, this.clock, none, onLaunch);
	}

}
