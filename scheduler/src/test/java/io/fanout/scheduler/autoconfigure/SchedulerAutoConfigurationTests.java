package io.fanout.scheduler.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.autoconfigure.FetchAutoConfiguration;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.DefaultJobService;
import io.fanout.scheduler.jobs.JobQueue;
import io.fanout.scheduler.jobs.JobRepository;
import io.fanout.scheduler.jobs.R2dbcJobQueue;
import io.fanout.scheduler.jobs.R2dbcJobRepository;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.schedules.ConfiguredSchedules;
import io.fanout.scheduler.schedules.DefaultScheduleService;
import io.fanout.scheduler.schedules.R2dbcScheduleStore;
import io.fanout.scheduler.schedules.ScheduleTicker;
import io.fanout.scheduler.worker.JobWorker;
import io.fanout.test.SettableClock;
import io.fanout.test.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mockito.Mockito;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the auto-configuration provides, what switches it, and that user beans win.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerAutoConfigurationTests {

	private TestDatabase database;

	private ApplicationContextRunner runner;

	@BeforeAll
	void createDatabase() {
		this.database = TestDatabase.h2();
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SchedulerDatabaseAutoConfiguration.class,
					R2dbcAutoConfiguration.class, FlywayAutoConfiguration.class, FetchAutoConfiguration.class,
					SchedulerAutoConfiguration.class))
			.withPropertyValues(this.database.springProperties()
				.entrySet()
				.stream()
				.map((entry) -> entry.getKey() + "=" + entry.getValue())
				.toArray(String[]::new));
	}

	@AfterAll
	void closeDatabase() {
		this.database.close();
	}

	@Test
	void providesStoreServiceAndWorkerWithDefaultSettings() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(Database.class)
				.hasSingleBean(R2dbcJobRepository.class)
				.hasSingleBean(R2dbcJobQueue.class)
				.hasSingleBean(DefaultJobService.class)
				.hasSingleBean(JobWorker.class);
			assertThat(context.getBean(SchedulerProperties.class)).isEqualTo(SchedulerProperties.defaults());
			assertThat(context.getBean(JobWorker.class).nodeId()).matches(".+-[0-9a-f]{6}");
			assertThat(context.getBean(JobWorker.class).isRunning()).isTrue();
		});
	}

	@Test
	void propertiesConfigureTheScheduler() {
		this.runner
			.withPropertyValues("fanout.scheduler.node-id=pod-7", "fanout.scheduler.max-concurrent-jobs=12",
					"fanout.scheduler.lease-duration=1m", "fanout.scheduler.retention=2d")
			.run((context) -> {
				SchedulerProperties properties = context.getBean(SchedulerProperties.class);
				assertThat(properties.maxConcurrentJobs()).isEqualTo(12);
				assertThat(properties.leaseDuration()).isEqualTo(Duration.ofMinutes(1));
				assertThat(properties.retention()).isEqualTo(Duration.ofDays(2));
				assertThat(context.getBean(JobWorker.class).nodeId()).isEqualTo("pod-7");
			});
	}

	@Test
	void invalidPropertiesFailTheStartup() {
		this.runner.withPropertyValues("fanout.scheduler.lease-renew-interval=1m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("lease-renew-interval"));
	}

	@Test
	void instanceWithoutWorkersStillServesJobs() {
		this.runner.withPropertyValues("fanout.scheduler.worker-enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(JobService.class).doesNotHaveBean(JobWorker.class));
	}

	@Test
	void withoutAFetchClientThereIsNoWorker() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(R2dbcAutoConfiguration.class, SchedulerAutoConfiguration.class))
			.withPropertyValues("spring.r2dbc.url=" + this.database.r2dbcUrl(), "spring.r2dbc.username=sa")
			.run((context) -> assertThat(context).hasSingleBean(JobService.class).doesNotHaveBean(JobWorker.class));
	}

	@Test
	void withoutADatabaseNothingIsConfigured() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SchedulerAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(JobRepository.class).doesNotHaveBean(JobService.class));
	}

	@Test
	void userBeansWin() {
		JobService service = Mockito.mock(JobService.class);
		JobRepository repository = Mockito.mock(JobRepository.class);
		JobQueue queue = Mockito.mock(JobQueue.class);
		this.runner.withBean(JobService.class, () -> service)
			.withBean(JobRepository.class, () -> repository)
			.withBean(JobQueue.class, () -> queue)
			.withPropertyValues("fanout.scheduler.worker-enabled=false")
			.run((context) -> {
				assertThat(context.getBean(JobService.class)).isSameAs(service);
				assertThat(context.getBean(JobRepository.class)).isSameAs(repository);
				assertThat(context.getBean(JobQueue.class)).isSameAs(queue);
			});
	}

	@Test
	void providesSchedulesOnTheSharedDatabase() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(R2dbcScheduleStore.class)
				.hasSingleBean(DefaultScheduleService.class)
				.hasSingleBean(ConfiguredSchedules.class)
				.hasSingleBean(ScheduleTicker.class);
			assertThat(context.getBean(ScheduleTicker.class).isRunning()).isTrue();
			assertThat(context.getBean(ConfiguredSchedules.class).isEmpty()).isTrue();
		});
	}

	@Test
	void aJobRepositoryOfTheUsersOwnKeepsSchedules() {
		this.runner.withBean(JobRepository.class, () -> Mockito.mock(JobRepository.class))
			.withPropertyValues("fanout.scheduler.worker-enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(ScheduleService.class)
				.hasSingleBean(ScheduleTicker.class));
	}

	@Test
	void aUserScheduleServiceWins() {
		ScheduleService service = Mockito.mock(ScheduleService.class);
		this.runner.withBean(ScheduleService.class, () -> service)
			.run((context) -> assertThat(context.getBean(ScheduleService.class)).isSameAs(service));
	}

	@Test
	void declaredSchedulesAreCheckedAtStartup() {
		this.runner
			.withPropertyValues("fanout.scheduler.schedules.prices.owner=alice", "fanout.scheduler.schedules.prices.trigger.fixed-rate=5m",
					"fanout.scheduler.schedules.prices.template.requests[0].url=http://127.0.0.1:1/prices")
			.run((context) -> assertThat(context.getBean(ConfiguredSchedules.class).isEmpty()).isFalse());
		this.runner
			.withPropertyValues("fanout.scheduler.schedules.prices.owner=alice", "fanout.scheduler.schedules.prices.trigger.cron=0 * * * *",
					"fanout.scheduler.schedules.prices.template.requests[0].url=http://127.0.0.1:1/prices")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("fanout.scheduler.schedules.prices.trigger.cron")
				.hasMessageContaining("six fields"));
		this.runner
			.withPropertyValues("fanout.scheduler.schedules.prices.owner=alice", "fanout.scheduler.schedules.prices.trigger.fixed-rate=5m",
					"fanout.scheduler.schedules.prices.template.requests[0].url=ftp://127.0.0.1/prices")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("fanout.scheduler.schedules.prices.template.requests[0].url"));
		this.runner
			.withPropertyValues("fanout.scheduler.schedules.prices.trigger.fixed-rate=500ms",
					"fanout.scheduler.schedules.prices.owner=alice",
					"fanout.scheduler.schedules.prices.template.requests[0].url=http://127.0.0.1:1/prices")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("fanout.scheduler.schedules.prices.trigger.fixed-rate: a fixed rate must be at least PT1S"));
	}

	@Test
	void schedulesDeclaredWhereTheyUsedToBeFailTheStartupSayingWhereTheyGoNow() {
		this.runner
			.withPropertyValues("fanout.schedules.prices.owner=alice", "fanout.schedules.prices.trigger.fixed-rate=5m",
					"fanout.schedules.prices.template.requests[0].url=http://127.0.0.1:1/prices")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("fanout.schedules.* is no longer read")
				.hasMessageContaining("fanout.scheduler.schedules.<name>"));
	}

	@Test
	void usesTheApplicationClock() {
		SettableClock clock = SettableClock.startingAt2030();
		this.runner.withBean(Clock.class, () -> clock).run((context) -> {
			JobService service = context.getBean(JobService.class);
			assertThat(service.submit("alice", JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1:1/")),
					FetchPolicy.DEFAULT))
				.block(Duration.ofSeconds(10))
				.createdAt()).isEqualTo(clock.instant());
		});
	}

}
