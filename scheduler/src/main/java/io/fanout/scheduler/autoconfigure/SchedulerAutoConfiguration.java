package io.fanout.scheduler.autoconfigure;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.autoconfigure.FetchAutoConfiguration;
import io.fanout.fetch.autoconfigure.FetchProperties;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.ScheduleDeclarations;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.schedules.DeclaredSchedules;
import io.fanout.scheduler.schedules.DefaultScheduleService;
import io.fanout.scheduler.schedules.ScheduleTicker;
import io.fanout.scheduler.store.JobStore;
import io.fanout.scheduler.store.R2dbcJobStore;
import io.fanout.scheduler.store.R2dbcScheduleStore;
import io.fanout.scheduler.store.ScheduleStore;
import io.fanout.scheduler.worker.JobWorker;
import io.r2dbc.spi.ConnectionFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The job scheduler on the application's R2DBC {@link ConnectionFactory}: a {@link JobStore}, a
 * {@link JobService} and, unless {@code fanout.scheduler.worker-enabled=false}, a {@link JobWorker}
 * running jobs through the {@link FetchClient}; with the R2DBC job store, schedules too: a
 * {@link ScheduleStore} on its database, a {@link ScheduleService} and a {@link ScheduleTicker} on
 * every instance, which also upserts the schedules declared under {@code fanout.schedules}. Uses the
 * application's {@link Clock} bean if there is one. The schema comes from Flyway's migrations in
 * {@code classpath:db/migration}.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, FlywayAutoConfiguration.class,
		FetchAutoConfiguration.class })
@ConditionalOnSingleCandidate(ConnectionFactory.class)
@EnableConfigurationProperties({ SchedulerProperties.class, ScheduleDeclarations.class })
public final class SchedulerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(JobStore.class)
	@DependsOnDatabaseInitialization
	R2dbcJobStore fanoutJobStore(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient) {
		return new R2dbcJobStore(databaseClient.getIfAvailable(() -> DatabaseClient.create(connectionFactory)),
				connectionFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FetchClient.class)
	@ConditionalOnBooleanProperty(name = "fanout.scheduler.worker-enabled", matchIfMissing = true)
	JobWorker fanoutJobWorker(JobStore store, FetchClient fetchClient, SchedulerProperties properties,
			ObjectProvider<Clock> clock) {
		String nodeId = (properties.nodeId() != null) ? properties.nodeId() : defaultNodeId();
		return new JobWorker(store, fetchClient, properties, clock.getIfAvailable(Clock::systemUTC), nodeId);
	}

	@Bean
	@ConditionalOnMissingBean
	JobService fanoutJobService(JobStore store, SchedulerProperties properties, ObjectProvider<Clock> clock,
			ObjectProvider<JobWorker> worker) {
		return new DefaultJobService(store, properties, clock.getIfAvailable(Clock::systemUTC),
				() -> worker.ifAvailable(JobWorker::wakeUp));
	}

	/** Schedules fire by inserting jobs in the job store's transactions: they need its database. */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(R2dbcJobStore.class)
	ScheduleStore fanoutScheduleStore(R2dbcJobStore jobStore) {
		return new R2dbcScheduleStore(jobStore);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ScheduleStore.class)
	ScheduleService fanoutScheduleService(ScheduleStore store, JobStore jobStore, SchedulerProperties properties,
			ObjectProvider<Clock> clock, ObjectProvider<JobWorker> worker) {
		return new DefaultScheduleService(store, jobStore, properties, clock.getIfAvailable(Clock::systemUTC),
				() -> worker.ifAvailable(JobWorker::wakeUp));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ScheduleStore.class)
	DeclaredSchedules fanoutDeclaredSchedules(ScheduleDeclarations declarations, ScheduleStore store,
			SchedulerProperties properties, ObjectProvider<FetchProperties> fetchProperties,
			ObjectProvider<Clock> clock) {
		// Templates get the defaults of jobs submitted through the API.
		FetchProperties fetch = fetchProperties.getIfAvailable();
		FetchPolicy defaults = (fetch != null) ? fetch.defaultPolicy().toPolicy() : FetchPolicy.DEFAULT;
		long maxBodySize = (fetch != null) ? fetch.maxBodySize().toBytes() : defaults.maxBodySize();
		return new DeclaredSchedules(declarations, defaults, maxBodySize, properties, store,
				clock.getIfAvailable(Clock::systemUTC));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ScheduleStore.class)
	ScheduleTicker fanoutScheduleTicker(ScheduleStore store, JobStore jobStore, SchedulerProperties properties,
			DeclaredSchedules declared, ObjectProvider<Clock> clock, ObjectProvider<JobWorker> worker) {
		return new ScheduleTicker(store, jobStore, properties, clock.getIfAvailable(Clock::systemUTC), declared,
				() -> worker.ifAvailable(JobWorker::wakeUp));
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
