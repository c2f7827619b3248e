package io.fanout.scheduler;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.InvalidFetchRequestException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Validation of job specs, reported by field path, and secrets kept out of their text.
 */
class JobSpecTests {

	private static final List<FetchRequest> ONE = List.of(FetchRequest.get("https://example.com/"));

	@Test
	void requestsAreRequired() {
		assertField(() -> JobSpec.of(List.of(), FetchPolicy.DEFAULT), "requests");
	}

	@Test
	void priorityNameLabelsAndDeadlineAreChecked() {
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withPriority(1001), "priority");
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withName("x".repeat(201)), "name");
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withLabels(Map.of("no:colons", "x")), "labels");
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withLabels(Map.of("team", "a\nb")), "labels.team");
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withDeadline(Duration.ZERO), "deadline");
		Map<String, String> many = new HashMap<>();
		for (int i = 0; i <= JobSpec.MAX_LABELS; i++) {
			many.put("k" + i, "v");
		}
		assertField(() -> JobSpec.of(ONE, FetchPolicy.DEFAULT).withLabels(many), "labels");
	}

	@Test
	void missingPolicyMeansTheDefaultOne() {
		assertThat(new JobSpec(null, null, 0, ONE, null, null).policy()).isEqualTo(FetchPolicy.DEFAULT);
	}

	@Test
	void refusedRequestIsReportedWithItsPosition() {
		InvalidFetchRequestException refused = catchThrowableOfType(InvalidFetchRequestException.class,
				() -> FetchRequest.get("ftp://example.com/"));
		InvalidJobSpecException ex = InvalidJobSpecException.forRequest(3, refused);
		assertThat(ex.field()).isEqualTo("requests[3].url");
		assertThat(ex.getMessage()).isEqualTo(refused.getMessage());
		InvalidFetchRequestException badPolicy = catchThrowableOfType(InvalidFetchRequestException.class,
				() -> FetchPolicy.DEFAULT.withConcurrency(0));
		assertThat(InvalidJobSpecException.forPolicy(badPolicy).field()).isEqualTo("concurrency");
	}

	@Test
	void textShowsNeitherHeadersNorBodies() {
		FetchRequest request = new FetchRequest(URI.create("https://example.com/"), "POST",
				Map.of("Authorization", "Bearer s3cr3t"), "password=hunter2", Map.of());
		JobSpec spec = JobSpec.of(List.of(request), FetchPolicy.DEFAULT).withName("login");
		assertThat(spec.toString()).contains("login", "requests=1").doesNotContain("s3cr3t", "hunter2");
	}

	private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
		assertThatThrownBy(call).isInstanceOf(InvalidJobSpecException.class)
			.satisfies((ex) -> assertThat(((InvalidJobSpecException) ex).field()).isEqualTo(field));
	}

}
