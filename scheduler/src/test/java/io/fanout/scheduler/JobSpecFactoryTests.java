package io.fanout.scheduler;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.PolicyLimits;
import io.fanout.fetch.PolicyOverrides;
import io.fanout.fetch.Violation;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Drafts become specs in one place: the server's defaults fill what a draft leaves out, and every
 * invalid part is named by its path in the submission.
 */
class JobSpecFactoryTests {

	private final JobSpecFactory factory = new JobSpecFactory(FetchPolicy.DEFAULT.withConcurrency(7),
			new PolicyLimits(1_500_000), 3);

	@Test
	void whatADraftLeavesOutComesFromTheServersDefaults() {
		JobSpec spec = this.factory.create(draft(List.of(request("http://example.com/a")), PolicyOverrides.NONE));
		assertThat(spec.policy()).isEqualTo(FetchPolicy.DEFAULT.withConcurrency(7));
		assertThat(spec.priority()).isZero();
		assertThat(spec.labels()).isEmpty();
		assertThat(spec.requests()).hasSize(1).first().satisfies((request) -> assertThat(request.method()).isEqualTo("GET"));
	}

	@Test
	void everyInvalidPartIsNamedByItsPathInOrder() {
		JobDraft draft = new JobDraft("x".repeat(201), Map.of("no spaces", "v"), 5000,
				List.of(request("ftp://example.com/"), request("http://example.com/ok"), request(null)),
				new PolicyOverrides(0, null, new PolicyOverrides.Retry(11, null, null), null, null, 2_000_000L, null, null, null),
				Duration.ZERO);
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.create(draft));
		assertThat(refused.violations()).extracting(Violation::field)
			.containsExactly("requests[0].url", "requests[2].url", "retry.maxAttempts", "maxBodySize", "concurrency",
					"name", "labels", "priority", "deadline");
		assertThat(refused.violations().get(3).message()).isEqualTo("maxBodySize must be between 0 and 1500000 bytes");
	}

	@Test
	void aDraftWithTooManyRequestsIsRefusedForThatAlone() {
		List<JobDraft.Request> four = List.of(request("http://e.test/1"), request("http://e.test/2"),
				request("ftp://e.test/3"), request("http://e.test/4"));
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.create(draft(four, PolicyOverrides.NONE)));
		assertThat(refused.violations())
			.containsExactly(new Violation("requests", "a job may have at most 3 requests, not 4"));
	}

	@Test
	void requestsAddedOneByOneAreCheckedAndCompressedAsTheyCome() {
		JobSpecFactory.Requests requests = this.factory.requests();
		requests.add(request("http://e.test/1"));
		requests.add(request("http://e.test/2"));
		assertThat(requests.invalid()).isFalse();
		JobSpec spec = this.factory.create(draft(null, PolicyOverrides.NONE), requests);
		assertThat(spec.requests()).isInstanceOf(CompactRequests.class).hasSize(2);
		assertThat(spec.requests().get(1).url()).hasToString("http://e.test/2");

		JobSpecFactory.Requests invalid = this.factory.requests();
		invalid.add(request("http://e.test/1"));
		invalid.add(request("ftp://e.test/2"));
		assertThat(invalid.invalid()).isTrue();
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.create(draft(null, PolicyOverrides.NONE), invalid));
		assertThat(refused.violations()).extracting(Violation::field).containsExactly("requests[1].url");
	}

	@Test
	void requestsAddedOneByOnePastTheMostAreRefusedWithoutACountThatWasNeverMade() {
		JobSpecFactory.Requests requests = this.factory.requests();
		for (int i = 1; i <= 4 && !requests.invalid(); i++) {
			requests.add(request("http://e.test/" + i));
		}
		assertThat(requests.count()).isEqualTo(4);
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.create(draft(null, PolicyOverrides.NONE), requests));
		assertThat(refused.violations()).containsExactly(
				new Violation("requests", "a job may have at most 3 requests; this submission has more"));
	}

	@Test
	void aJobsRequestsAreBoundedInCompressedBytes() {
		JobSpecFactory small = new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(1_500_000), 1_000, 2_000,
				Duration.ofDays(1));
		JobSpecFactory.Requests requests = small.requests();
		for (int i = 0; i < 100 && !requests.invalid(); i++) {
			requests.add(new JobDraft.Request("http://e.test/" + i, "POST", null, "x".repeat(100) + i, null));
		}
		assertThat(requests.invalid()).isTrue();
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> small.create(draft(null, PolicyOverrides.NONE), requests));
		assertThat(refused.violations()).first().satisfies((violation) -> {
			assertThat(violation.field()).isEqualTo("requests");
			assertThat(violation.message()).contains("more than 2000 bytes compressed");
		});
	}

	@Test
	void aDraftWithoutRequestsIsNamedOnce() {
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.create(draft(null, PolicyOverrides.NONE)));
		assertThat(refused.violations())
			.containsExactly(new Violation("requests", "a job needs at least one request"));
	}

	@Test
	void rulesAreLimitedInNumberAndLengthAndMayNotReadARegularExpression() {
		JobSpecFactory factory = new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(1_500_000, 2, 30,
				PolicyLimits.DEFAULT_MAX_TIMEOUT, PolicyLimits.DEFAULT_MAX_BACKOFF), 3);
		JobDraft.Request hostile = new JobDraft.Request("http://e.test/1", null, null, null,
				Map.of("json", "$[?(@ =~ /((a+)+)+b/)]"));
		JobDraft.Request css = new JobDraft.Request("http://e.test/2", null, null, null,
				Map.of("css", "p:matches(((a+)+)+b)"));
		Map<String, String> many = new java.util.LinkedHashMap<>();
		many.put("a", "$.a");
		many.put("b", "$.b");
		many.put("long", "$." + "x".repeat(40));
		JobDraft.Request tooMany = new JobDraft.Request("http://e.test/3", null, null, null, many);
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> factory.create(draft(List.of(hostile, css, tooMany), PolicyOverrides.NONE)));
		assertThat(refused.violations()).extracting(Violation::field)
			.containsExactly("requests[0].extract.json", "requests[1].extract.css", "requests[2].extract",
					"requests[2].extract.long");
		assertThat(refused.violations().get(0).message()).contains("regular expressions are not allowed");
	}

	@Test
	void aSpecBuiltElsewhereIsCheckedAgainstTheSameLimit() {
		JobSpec five = JobSpec.of(List.of(io.fanout.fetch.FetchRequest.get("http://e.test/1"),
				io.fanout.fetch.FetchRequest.get("http://e.test/2"), io.fanout.fetch.FetchRequest.get("http://e.test/3"),
				io.fanout.fetch.FetchRequest.get("http://e.test/4")), FetchPolicy.DEFAULT);
		InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
				() -> this.factory.check(five));
		assertThat(refused.field()).isEqualTo("requests");
	}

	@Test
	void aSpecBuiltElsewhereWithABadRuleIsRefusedNamingTheRequestWhetherItsRulesAreFewOrMany() {
		JobSpecFactory factory = new JobSpecFactory(FetchPolicy.DEFAULT, new PolicyLimits(1_500_000), 1_000);
		for (int distinct : List.of(1, 40)) {
			CompactRequests.Builder requests = CompactRequests.builder();
			for (int i = 0; i < 300; i++) {
				Map<String, String> rules = (i == 250) ? Map.of("bad", "$[?(@ =~ /(a+)+b/)]")
						: Map.of("t", "$.t" + (i % distinct));
				requests.add(new io.fanout.fetch.FetchRequest(java.net.URI.create("http://e.test/" + i), "GET", Map.of(),
						null, rules));
			}
			JobSpec spec = JobSpec.of(requests.build(), FetchPolicy.DEFAULT);
			InvalidJobSpecException refused = catchThrowableOfType(InvalidJobSpecException.class,
					() -> factory.check(spec));
			assertThat(refused.violations()).as("%d distinct rules besides the bad one", distinct)
				.extracting(Violation::field)
				.containsExactly("requests[250].extract.bad");
			JobSpec good = JobSpec.of(CompactRequests.of(spec.requests().subList(0, 250)), FetchPolicy.DEFAULT);
			factory.check(good);
		}
	}

	private static JobDraft draft(List<JobDraft.Request> requests, PolicyOverrides policy) {
		return new JobDraft(null, null, null, requests, policy, null);
	}

	private static JobDraft.Request request(String url) {
		return new JobDraft.Request(url, null, null, null, null);
	}

}
