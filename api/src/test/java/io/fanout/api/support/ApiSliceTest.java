package io.fanout.api.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Clock;

import io.fanout.api.security.SecurityConfiguration;
import io.fanout.fetch.FetchClient;
import io.fanout.fetch.autoconfigure.FetchProperties;
import io.fanout.scheduler.JobSpecFactory;
import io.fanout.scheduler.LimitsService;
import io.fanout.scheduler.ScheduleService;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.SchedulerProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * A {@link WebFluxTest} slice of the API: the controllers, the jobs, schedules and problems
 * components, the security configuration with two tenants' API keys, and the fetch and scheduler
 * settings. Tests mock the {@code JobService}; the {@code ScheduleService} and {@code LimitsService}
 * are mocks here for every test (tests that use them autowire them). Small limits (5 requests per job, 16 KB bodies) keep the error
 * tests cheap. Every test class using it shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@WebFluxTest(properties = { "fanout.security.api-keys.tenant-a=" + ApiSliceTest.KEY_A,
		"fanout.security.api-keys.tenant-b=" + ApiSliceTest.KEY_B, "fanout.scheduler.max-requests-per-job=5",
		"spring.http.codecs.max-in-memory-size=16KB" },
		includeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
				pattern = "io\\.fanout\\.api\\.(jobs|problems|schedules)\\..*"))
@Import({ SecurityConfiguration.class, ApiSliceTest.Settings.class, NoCallbacks.class })
@MockitoBean(types = { ScheduleService.class, LimitsService.class, FetchClient.class })
public @interface ApiSliceTest {

	/** The API key of {@code tenant-a}. */
	String KEY_A = "key-of-tenant-a-5f0c2a9e";

	/** The API key of {@code tenant-b}. */
	String KEY_B = "key-of-tenant-b-93d1e7b4";

	/**
	 * The fetch and scheduler settings, and the scheduler's rules for what a job and a schedule may
	 * be, which their auto-configurations provide in the application.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ FetchProperties.class, SchedulerProperties.class })
	class Settings {

		@Bean
		JobSpecFactory jobSpecFactory(FetchProperties fetch, SchedulerProperties scheduler) {
			return new JobSpecFactory(fetch.defaultPolicy().toPolicy(), fetch.policyLimits(),
					scheduler.maxRequestsPerJob());
		}

		@Bean
		ScheduleSpecFactory scheduleSpecFactory(JobSpecFactory jobs, SchedulerProperties scheduler) {
			return new ScheduleSpecFactory(jobs, scheduler.minFixedRate(), Clock.systemUTC());
		}

	}

}
