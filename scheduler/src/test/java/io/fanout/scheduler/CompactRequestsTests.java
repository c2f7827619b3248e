package io.fanout.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.fanout.fetch.FetchRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompactRequestsTests {

	@Test
	void givesBackEveryRequestAsItWasInAnyOrder() {
		List<FetchRequest> requests = new ArrayList<>();
		for (int i = 0; i < 2 * CompactRequests.CHUNK_SIZE + 17; i++) {
			requests.add((i % 3 == 0)
					? new FetchRequest(FetchRequest.parseUrl("http://127.0.0.1/post/" + i), "POST",
							Map.of("Authorization", "Bearer " + i), "{\"n\": " + i + "}", Map.of("v", "$.value"))
					: FetchRequest.get("http://127.0.0.1/page/" + i));
		}
		CompactRequests compact = CompactRequests.of(requests);

		assertThat(compact).hasSize(requests.size());
		assertThat(compact.chunks()).hasSize(3);
		assertThat(compact).containsExactlyElementsOf(requests);
		// Backwards and across chunks, past the decoded chunks kept.
		for (int i = requests.size() - 1; i >= 0; i -= 97) {
			assertThat(compact.get(i)).isEqualTo(requests.get(i));
		}
		assertThat(compact).isEqualTo(requests);
		assertThatThrownBy(() -> compact.get(requests.size())).isInstanceOf(IndexOutOfBoundsException.class);
	}

	@Test
	void aMillionSimilarRequestsTakeAFewBytesEach() {
		CompactRequests.Builder builder = CompactRequests.builder();
		IntStream.range(0, 1_000_000).forEach((i) -> builder.add(FetchRequest.get("https://shop.example/item/" + i)));
		CompactRequests compact = builder.build();

		assertThat(compact).hasSize(1_000_000);
		assertThat(compact.compressedBytes() / compact.size()).isLessThan(16);
		assertThat(compact.get(765_432).url()).hasToString("https://shop.example/item/765432");
	}

	@Test
	void isReadBackFromItsChunks() {
		CompactRequests compact = CompactRequests.of(IntStream.range(0, 1500)
			.mapToObj((i) -> FetchRequest.get("http://127.0.0.1/" + i))
			.toList());

		CompactRequests read = CompactRequests.ofChunks(compact.chunks(), 1500, compact.chunkSize());

		assertThat(read).isEqualTo(compact);
		assertThat(CompactRequests.of(read)).isSameAs(read);
		assertThatIllegalArgumentException().isThrownBy(() -> CompactRequests.ofChunks(compact.chunks(), 2500, 1000));
		assertThatIllegalArgumentException().isThrownBy(() -> CompactRequests.ofChunks(compact.chunks(), 999, 1000));
	}

	@Test
	void aSpecOfCompactRequestsKeepsThem() {
		CompactRequests compact = CompactRequests.of(List.of(FetchRequest.get("http://127.0.0.1/a")));

		JobSpec spec = JobSpec.of(compact, io.fanout.fetch.FetchPolicy.DEFAULT);

		assertThat(spec.requests()).isSameAs(compact);
		assertThat(spec).isEqualTo(JobSpec.of(List.of(FetchRequest.get("http://127.0.0.1/a")),
				io.fanout.fetch.FetchPolicy.DEFAULT));
	}

	@Test
	void knowsItsFewDistinctExtractionRulesButNotMany() {
		CompactRequests.Builder shared = CompactRequests.builder();
		for (int i = 0; i < 5_000; i++) {
			shared.add(withRules("http://127.0.0.1/" + i, (i % 2 == 0) ? Map.of("t", "$.t") : Map.of()));
		}
		assertThat(shared.build().distinctRules()).containsExactlyInAnyOrder(Map.of("t", "$.t"), Map.of());
		CompactRequests.Builder each = CompactRequests.builder();
		for (int i = 0; i < 17; i++) {
			each.add(withRules("http://127.0.0.1/" + i, Map.of("t", "$.t" + i)));
		}
		assertThat(each.build().distinctRules()).as("17 distinct sets of rules").isNull();
		CompactRequests stored = shared.build();
		assertThat(CompactRequests.ofChunks(stored.chunks(), stored.size(), stored.chunkSize()).distinctRules())
			.as("read from chunks").isNull();
	}

	private static FetchRequest withRules(String url, Map<String, String> rules) {
		return new FetchRequest(java.net.URI.create(url), "GET", Map.of(), null, rules);
	}

}
