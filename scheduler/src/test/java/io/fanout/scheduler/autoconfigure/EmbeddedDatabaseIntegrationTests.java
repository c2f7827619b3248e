package io.fanout.scheduler.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.OutcomeKind;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.ResultQuery;
import io.fanout.scheduler.support.TestNode;
import io.fanout.test.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Fanout instance with no database configured: the embedded H2 file under {@code fanout.data-dir}
 * is created on first start, jobs run on it, and they are still there after a restart.
 */
class EmbeddedDatabaseIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@TempDir
	Path dataDir;

	@Test
	void jobsRunOnTheEmbeddedDatabaseAndSurviveARestart() {
		Map<String, Object> properties = Map.of("fanout.data-dir", this.dataDir.resolve("nested").toString());
		Job job;
		try (TestUpstream upstream = new TestUpstream()) {
			JobSpec spec = JobSpec.of(List.of(FetchRequest.get(upstream.url("/ok/embedded/0")),
					FetchRequest.get(upstream.url("/ok/embedded/1"))), FetchPolicy.DEFAULT);
			try (TestNode node = TestNode.start(properties, null)) {
				job = node.jobService().submit("alice", spec).block(TIMEOUT);
				await().atMost(TIMEOUT)
					.until(() -> node.jobService().get("alice", job.id()).block(TIMEOUT).status() == JobStatus.COMPLETED);
			}
		}
		assertThat(this.dataDir.resolve("nested/fanout.mv.db")).exists();
		try (TestNode restarted = TestNode.start(properties, null)) {
			Job found = restarted.jobService().get("alice", job.id()).block(TIMEOUT);
			assertThat(found.status()).isEqualTo(JobStatus.COMPLETED);
			assertThat(found.progress().count(OutcomeKind.SUCCEEDED)).isEqualTo(2);
			assertThat(restarted.jobService().results("alice", job.id(), ResultQuery.all()).block(TIMEOUT).items())
				.extracting(JobResult::index)
				.containsExactly(0, 1);
		}
		assertThat(Files.isDirectory(this.dataDir.resolve("nested"))).isTrue();
	}

}
