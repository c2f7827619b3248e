package io.fanout.scheduler.autoconfigure;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.admission.MemoryBudget;
import io.fanout.fetch.admission.SlotLeases;
import io.fanout.fetch.autoconfigure.FetchAutoConfiguration;
import io.fanout.fetch.autoconfigure.FetchProperties;
import io.fanout.scheduler.CallbackPayloads;
import io.fanout.scheduler.CallbackProperties;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.LimitsService;
import io.fanout.scheduler.QuotaProperties;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.callbacks.CallbackWorker;
import io.fanout.scheduler.callbacks.DefaultCallbackService;
import io.fanout.scheduler.callbacks.DeliveryStore;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.jobs.JobQueue;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.jobs.QueueLimit;
import io.fanout.scheduler.jobs.R2dbcJobQueue;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.jobs.ResultFeed;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.quotas.DefaultLimitsService;
import io.fanout.scheduler.quotas.TenantGauges;
import io.fanout.scheduler.r2dbc.Dialect;
import io.fanout.scheduler.rates.PostgresSlotLeases;
import io.fanout.scheduler.schedules.ConfiguredSchedules;
import io.fanout.scheduler.schedules.DefaultScheduleService;
import io.fanout.scheduler.schedules.R2dbcScheduleStore;
import io.fanout.scheduler.schedules.ScheduleFiring;
import io.fanout.scheduler.schedules.ScheduleStore;
import io.fanout.scheduler.schedules.ScheduleTicker;
import io.fanout.scheduler.worker.JobTelemetry;
import io.fanout.scheduler.worker.JobWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.r2dbc.spi.ConnectionFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The job scheduler on the application's R2DBC {@link ConnectionFactory}: the {@link Database} every
 * store shares, the job repository and queue, the {@link ResultFeed} that streams of jobs running here
 * follow, the schedule store, the {@link JobService} and
 * {@link ScheduleService}, a {@link ScheduleTicker} on every instance (which also upserts the
 * schedules declared under {@code fanout.scheduler.schedules}) and, unless
 * {@code fanout.scheduler.worker-enabled=false}, a {@link JobWorker} running jobs through the
 * {@link FetchClient}; the callback outbox's {@link CallbackService} and, with the application's
 * {@link CallbackPayloads}, a {@link CallbackWorker} that delivers it. Every bean backs off for one of the application's own. Uses the application's
 * {@link Clock} bean if there is one. The schema comes from Flyway's migrations in
 * {@code classpath:db/migration}.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, FlywayAutoConfiguration.class,
		FetchAutoConfiguration.class })
@ConditionalOnSingleCandidate(ConnectionFactory.class)
@EnableConfigurationProperties({ SchedulerProperties.class, QuotaProperties.class, CallbackProperties.class })
public final class SchedulerAutoConfiguration {

	/** Where schedules were declared before they moved under {@code fanout.scheduler}. */
	static final String FORMER_SCHEDULES_PREFIX = "fanout.schedules";

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	Database fanoutDatabase(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient) {
		return new Database(databaseClient.getIfAvailable(() -> DatabaseClient.create(connectionFactory)),
				connectionFactory);
	}

	/**
	 * Rates of hosts and flow keys shared by every replica, on PostgreSQL. The embedded database serves
	 * one instance, whose rates are its own already: there the bean is null, which the fetch client
	 * reads as "none".
	 */
	@Bean
	@ConditionalOnMissingBean
	@Nullable SlotLeases fanoutSlotLeases(Database database) {
		return (database.dialect() == Dialect.POSTGRESQL) ? new PostgresSlotLeases(database) : null;
	}

	@Bean
	@ConditionalOnMissingBean
	JobRepository fanoutJobRepository(Database database) {
		return new R2dbcJobRepository(database);
	}

	@Bean
	@ConditionalOnMissingBean
	ResultFeed fanoutResultFeed() {
		return new ResultFeed();
	}

	@Bean
	@ConditionalOnMissingBean
	JobQueue fanoutJobQueue(Database database, QuotaProperties quotas, ResultFeed feed) {
		return new R2dbcJobQueue(database, quotas, feed);
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleStore fanoutScheduleStore(Database database) {
		return new R2dbcScheduleStore(database);
	}

	@Bean
	@ConditionalOnMissingBean
	JobSpecFactory fanoutJobSpecFactory(SchedulerProperties properties,
			ObjectProvider<FetchProperties> fetchProperties) {
		// Without fetch-service's settings, the engine's own defaults and limits.
		FetchProperties fetch = fetchProperties.getIfAvailable();
		FetchPolicy defaults = (fetch != null) ? fetch.defaultPolicy().toPolicy() : FetchPolicy.DEFAULT;
		PolicyLimits limits = (fetch != null) ? fetch.policyLimits() : new PolicyLimits(defaults.maxBodySize());
		return new JobSpecFactory(defaults, limits, properties.maxRequestsPerJob(),
				properties.maxRequestBytesPerJob().toBytes(), properties.maxDeadline());
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleSpecFactory fanoutScheduleSpecFactory(JobSpecFactory jobs, SchedulerProperties properties,
			ObjectProvider<Clock> clock) {
		return new ScheduleSpecFactory(jobs, properties.minFixedRate(), clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	QueueLimit fanoutQueueLimit(JobRepository jobs, SchedulerProperties properties, QuotaProperties quotas) {
		return new QueueLimit(jobs, properties.maxQueuedJobs(), properties.queueFullRetryAfter(), quotas);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FetchClient.class)
	@ConditionalOnBooleanProperty(name = "fanout.scheduler.worker-enabled", matchIfMissing = true)
	JobWorker fanoutJobWorker(JobQueue queue, FetchClient fetchClient, SchedulerProperties properties,
			ObjectProvider<Clock> clock, ObjectProvider<MemoryBudget> memory, QuotaProperties quotas,
			ResultFeed feed, ObjectProvider<MeterRegistry> registry, ObjectProvider<Tracer> tracer) {
		String nodeId = (properties.nodeId() != null) ? properties.nodeId() : defaultNodeId();
		return new JobWorker(queue, fetchClient, properties, clock.getIfAvailable(Clock::systemUTC),
				memory.getIfAvailable(() -> MemoryBudget.UNLIMITED), quotas, feed,
				new JobTelemetry(registry.getIfAvailable(SimpleMeterRegistry::new), tracer.getIfAvailable(() -> Tracer.NOOP)),
				nodeId);
	}

	@Bean
	@ConditionalOnMissingBean
	JobService fanoutJobService(JobRepository jobs, JobSpecFactory specs, QueueLimit queueLimit,
			SchedulerProperties properties, ResultFeed feed, ObjectProvider<Clock> clock,
			ObjectProvider<JobWorker> worker) {
		return new DefaultJobService(jobs, specs, queueLimit, properties, feed, clock.getIfAvailable(Clock::systemUTC),
				() -> worker.ifAvailable(JobWorker::wakeUp));
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleFiring fanoutScheduleFiring(Database database, ScheduleStore schedules, JobRepository jobs,
			QueueLimit queueLimit) {
		return new ScheduleFiring(database, schedules, jobs, queueLimit);
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleService fanoutScheduleService(ScheduleStore store, JobRepository jobs, ScheduleFiring firing,
			ScheduleSpecFactory specs, QuotaProperties quotas, ObjectProvider<Clock> clock,
			ObjectProvider<JobWorker> worker) {
		return new DefaultScheduleService(store, jobs, firing, specs, quotas, clock.getIfAvailable(Clock::systemUTC),
				() -> worker.ifAvailable(JobWorker::wakeUp));
	}

	@Bean
	@ConditionalOnMissingBean
	DeliveryStore fanoutDeliveryStore(Database database) {
		return new DeliveryStore(database);
	}

	@Bean
	@ConditionalOnMissingBean
	CallbackService fanoutCallbackService(JobRepository jobs, DeliveryStore deliveries, CallbackProperties properties,
			ObjectProvider<Clock> clock) {
		return new DefaultCallbackService(jobs, deliveries, properties, clock.getIfAvailable(Clock::systemUTC));
	}

	/**
	 * Delivers callbacks from this instance, through the {@link FetchClient}, with the bodies the
	 * application's {@link CallbackPayloads} renders; none without one, or with
	 * {@code fanout.callbacks.enabled=false}. Its lease owner name is the job worker's.
	 */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ FetchClient.class, CallbackPayloads.class })
	@ConditionalOnBooleanProperty(name = "fanout.callbacks.enabled", matchIfMissing = true)
	CallbackWorker fanoutCallbackWorker(DeliveryStore deliveries, JobRepository jobs, CallbackPayloads payloads,
			FetchClient fetchClient, CallbackProperties properties, SchedulerProperties scheduler,
			ObjectProvider<Clock> clock, ObjectProvider<JobWorker> worker, ObjectProvider<MeterRegistry> registry) {
		JobWorker jobWorker = worker.getIfAvailable();
		String nodeId = (jobWorker != null) ? jobWorker.nodeId()
				: (scheduler.nodeId() != null) ? scheduler.nodeId() : defaultNodeId();
		return new CallbackWorker(deliveries, jobs, payloads, fetchClient, properties,
				clock.getIfAvailable(Clock::systemUTC), nodeId, registry.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	LimitsService fanoutLimitsService(JobRepository jobs, ScheduleStore schedules, QuotaProperties quotas) {
		return new DefaultLimitsService(jobs, schedules, quotas);
	}

	/**
	 * Per-tenant gauges of queued and running jobs, in the application's {@link MeterRegistry}; none
	 * without one, or with {@code fanout.scheduler.quotas.metrics-tenants=0}.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	@Nullable TenantGauges fanoutTenantGauges(JobRepository jobs, QuotaProperties quotas,
			ObjectProvider<MeterRegistry> registry) {
		MeterRegistry meters = registry.getIfAvailable();
		if (meters == null || quotas.metricsTenants() == 0) {
			return null;
		}
		TenantGauges gauges = new TenantGauges(jobs, meters, quotas.metricsTenants());
		gauges.start(quotas.metricsInterval());
		return gauges;
	}

	@Bean
	@ConditionalOnMissingBean
	ConfiguredSchedules fanoutConfiguredSchedules(SchedulerProperties properties, ScheduleSpecFactory specs,
			ScheduleStore store, ObjectProvider<Clock> clock, Environment environment) {
		refuseFormerDeclarations(environment);
		return new ConfiguredSchedules(properties.schedules(), specs, store, clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleTicker fanoutScheduleTicker(ScheduleStore store, ScheduleFiring firing, SchedulerProperties properties,
			ConfiguredSchedules configured, ObjectProvider<Clock> clock, ObjectProvider<JobWorker> worker) {
		return new ScheduleTicker(store, firing, properties, clock.getIfAvailable(Clock::systemUTC), configured,
				() -> worker.ifAvailable(JobWorker::wakeUp));
	}

	/**
	 * Schedules declared where they were before would otherwise be dropped without a word: the
	 * startup fails instead, saying where they go now.
	 */
	static void refuseFormerDeclarations(Environment environment) {
		boolean declared = Binder.get(environment)
			.bind(FORMER_SCHEDULES_PREFIX, Bindable.mapOf(String.class, Object.class))
			.map((schedules) -> !schedules.isEmpty())
			.orElse(false);
		if (declared) {
			throw new IllegalStateException(FORMER_SCHEDULES_PREFIX + ".* is no longer read: schedules are declared "
					+ "under fanout.scheduler.schedules.<name> now, with the same properties (docs/configuration.md)");
		}
	}

	/**
	 * The host name (a Kubernetes pod's name) and a random suffix, so that a restarted instance never
	 * passes for the one before it.
	 */
	static String defaultNodeId() {
		String host = System.getenv("HOSTNAME");
		if (host == null || host.isBlank()) {
			try {
				host = InetAddress.getLocalHost().getHostName();
			}
			catch (Exception ex) {
				host = "fanout";
			}
		}
		byte[] suffix = new byte[3];
		ThreadLocalRandom.current().nextBytes(suffix);
		return host + "-" + HexFormat.of().formatHex(suffix);
	}

}
