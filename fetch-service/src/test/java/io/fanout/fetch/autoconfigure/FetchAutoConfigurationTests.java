package io.fanout.fetch.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

class FetchAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FetchAutoConfiguration.class));

	@Test
	void providesAFetchClientWithStrictSsrfRulesByDefault() {
		this.contextRunner.run(context -> {
			assertThat(context).hasSingleBean(FetchClient.class).hasSingleBean(AddressRule.class);
			assertThat(context.getBean(AddressRule.class).permits(InetAddress.getByName("127.0.0.1"))).isFalse();
			FetchProperties properties = context.getBean(FetchProperties.class);
			assertThat(properties.defaultPolicy().toPolicy().maxBodySize()).isEqualTo(1024 * 1024);
			assertThat(properties.defaultPolicy().toPolicy().concurrency()).isEqualTo(10);
			assertThat(properties.pool().maxConnections()).isEqualTo(10_000);
		});
	}

	@Test
	void propertiesOverrideTheDefaults() {
		this.contextRunner
			.withPropertyValues("fanout.fetch.allowed-networks=127.0.0.1/32,10.0.0.0/8",
					"fanout.fetch.default-policy.concurrency=42", "fanout.fetch.default-policy.timeout=3s",
					"fanout.fetch.default-policy.max-body-size=2MB", "fanout.fetch.pool.max-connections=123")
			.run(context -> {
				AddressRule rule = context.getBean(AddressRule.class);
				assertThat(rule.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
				assertThat(rule.permits(InetAddress.getByName("10.9.8.7"))).isTrue();
				assertThat(rule.permits(InetAddress.getByName("127.0.0.2"))).isFalse();
				FetchPolicy policy = context.getBean(FetchProperties.class).defaultPolicy().toPolicy();
				assertThat(policy.concurrency()).isEqualTo(42);
				assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(policy.maxBodySize()).isEqualTo(2 * 1024 * 1024);
				assertThat(context.getBean(FetchProperties.class).pool().maxConnections()).isEqualTo(123);
			});
	}

	@Test
	void invalidAllowedNetworkFailsStartup() {
		this.contextRunner.withPropertyValues("fanout.fetch.allowed-networks=not-a-network")
			.run(context -> assertThat(context).hasFailed());
	}

	@Test
	void outOfRangePropertiesFailStartup() {
		this.contextRunner.withPropertyValues("fanout.fetch.default-policy.concurrency=0")
			.run(context -> assertThat(context).hasFailed());
		this.contextRunner.withPropertyValues("fanout.fetch.max-in-flight=0")
			.run(context -> assertThat(context).hasFailed());
		this.contextRunner.withPropertyValues("fanout.fetch.default-policy.max-body-size=20MB")
			.run(context -> assertThat(context).hasFailed());
	}

	@Test
	void userBeansWin() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run(context -> {
			assertThat(context).hasSingleBean(FetchClient.class);
			assertThat(context.getBean(FetchClient.class)).isSameAs(UserBeans.CLIENT);
			assertThat(context.getBean(AddressRule.class)).isSameAs(UserBeans.RULE);
		});
	}

	@Test
	void usesTheResilience4jCircuitBreakerRegistryConfiguredThroughProperties() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class))
			.withPropertyValues("resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=7",
					"fanout.fetch.allowed-networks=127.0.0.1/32")
			.run(context -> {
				assertThat(context).hasSingleBean(ReactorFetchClient.class);
				CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
				assertThat(registry.getDefaultConfig().getMinimumNumberOfCalls()).isEqualTo(7);
				// A host met at run time gets the default config.
				FetchOutcome outcome = context.getBean(FetchClient.class)
					.fetch(FetchRequest.get("http://127.0.0.1:1/"), FetchPolicy.DEFAULT.withRetry(
							io.fanout.fetch.RetryPolicy.NONE))
					.block(Duration.ofSeconds(10));
				assertThat(outcome.kind()).isEqualTo(OutcomeKind.CONNECTION_ERROR);
				// Its breaker is the client's own, for this tenant and host, not one of the registry's.
				assertThat(registry.find("127.0.0.1")).isEmpty();
				assertThat(context.getBean(ReactorFetchClient.class).breaker(FetchScope.SHARED, "127.0.0.1"))
					.hasValueSatisfying(breaker -> assertThat(breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls())
						.isEqualTo(7));
			});
	}

	@Test
	void hostLimitsComeFromPropertiesWithTheirDefaultForEveryOtherHost() {
		this.contextRunner
			.withPropertyValues("fanout.fetch.host-defaults.max-concurrency=7",
					"fanout.fetch.hosts.[API.Example.com].max-concurrency=3", "fanout.fetch.hosts.[other.test].max-concurrency=")
			.run(context -> {
				FetchProperties properties = context.getBean(FetchProperties.class);
				assertThat(properties.maxConcurrency("api.example.com")).isEqualTo(3);
				assertThat(properties.maxConcurrency("other.test")).isEqualTo(7);
				assertThat(properties.maxConcurrency("elsewhere.test")).isEqualTo(7);
			});
		this.contextRunner.run(context -> assertThat(context.getBean(FetchProperties.class).maxConcurrency("any.test"))
			.isEqualTo(FetchPolicy.MAX_CONCURRENCY));
		this.contextRunner.withPropertyValues("fanout.fetch.host-defaults.max-concurrency=0")
			.run(context -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("fanout.fetch.host-defaults.max-concurrency"));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final FetchClient CLIENT = (requests, policy, include, scope) -> Flux.empty();

		static final AddressRule RULE = AddressRule.allowing(List.of("10.0.0.0/8"));

		@Bean
		FetchClient myFetchClient() {
			return CLIENT;
		}

		@Bean
		AddressRule myAddressRule() {
			return RULE;
		}

	}

}
