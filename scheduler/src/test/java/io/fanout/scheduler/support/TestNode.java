package io.fanout.scheduler.support;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import io.fanout.scheduler.JobService;
import io.fanout.scheduler.worker.JobWorker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One Fanout instance without the web layer: a Spring Boot application context with every
 * auto-configuration on the classpath, as the {@code api} application will have it. Several nodes
 * on one database make a cluster.
 */
public final class TestNode implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private TestNode(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/**
	 * Starts a node with these properties (on top of fast test intervals and loopback upstreams
	 * allowed) and, if not null, this clock as the application's {@link Clock} bean.
	 */
	public static TestNode start(Map<String, Object> properties, Clock clock) {
		Map<String, Object> all = new HashMap<>();
		all.put("fanout.fetch.allowed-networks", "127.0.0.1/32");
		all.put("fanout.fetch.pool.event-loop-threads", "2");
		all.put("fanout.scheduler.poll-interval", "100ms");
		all.put("fanout.scheduler.result-batch-interval", "50ms");
		all.put("fanout.scheduler.stream-poll-interval", "50ms");
		all.put("spring.main.banner-mode", "off");
		all.putAll(properties);
		SpringApplicationBuilder builder = new SpringApplicationBuilder(NodeApplication.class)
			.web(WebApplicationType.NONE)
			.properties(all);
		if (clock != null) {
			builder.initializers((context) -> context.getBeanFactory().registerSingleton("clock", clock));
		}
		return new TestNode(builder.run());
	}

	public JobService jobService() {
		return this.context.getBean(JobService.class);
	}

	public JobWorker worker() {
		return this.context.getBean(JobWorker.class);
	}

	public ConfigurableApplicationContext context() {
		return this.context;
	}

	@Override
	public void close() {
		this.context.close();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class NodeApplication {

	}

}
