package io.fanout.scheduler.autoconfigure;

import java.net.InetAddress;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.autoconfigure.FetchAutoConfiguration;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.store.JobStore;
import io.fanout.scheduler.store.R2dbcJobStore;
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
 * running jobs through the {@link FetchClient}. Uses the application's {@link Clock} bean if there is
 * one. The schema comes from Flyway's migrations in {@code classpath:db/migration}.
 */
@AutoConfiguration(after = { R2dbcAutoConfiguration.class, FlywayAutoConfiguration.class,
		FetchAutoConfiguration.class })
@ConditionalOnSingleCandidate(ConnectionFactory.class)
@EnableConfigurationProperties(SchedulerProperties.class)
public final class SchedulerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	JobStore fanoutJobStore(ConnectionFactory connectionFactory, ObjectProvider<DatabaseClient> databaseClient) {
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
