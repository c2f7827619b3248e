package io.fanout.fetch;

import java.util.List;
import java.util.function.IntPredicate;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs HTTP requests concurrently under a {@link FetchPolicy}, one {@link FetchOutcome} per request.
 * <p>
 * Work starts on subscription. Cancelling the subscription aborts every in-flight request: its
 * connection is closed, so the upstream sees the request go. Individual failures never end the
 * stream with an error; they are outcomes. The stream errors only for a request or policy that
 * cannot run at all ({@link InvalidFetchRequestException}), before anything is sent, or when
 * {@code include} itself throws.
 */
public interface FetchClient {

	/**
	 * Fetches every request, at most {@code policy.concurrency()} at once, emitting outcomes in
	 * completion order. Indexes are positions in {@code requests}.
	 */
	default Flux<FetchOutcome> fetchAll(List<FetchRequest> requests, FetchPolicy policy) {
		return fetchAll(requests, policy, index -> true, FetchScope.SHARED);
	}

	/**
	 * Fetches the requests whose index passes {@code include} (to resume a batch, say), keeping
	 * their original indexes, on behalf of {@code scope}.
	 */
	Flux<FetchOutcome> fetchAll(List<FetchRequest> requests, FetchPolicy policy, IntPredicate include,
			FetchScope scope);

	/**
	 * What {@code scope}'s requests to the hosts it has used recently look like now, for read-only
	 * views; hosts sorted by name. Bounded: only hosts whose breaker for the tenant is kept.
	 */
	default List<UpstreamState> upstreams(FetchScope scope) {
		return List.of();
	}

	/** Fetches one request; its outcome has index 0. */
	default Mono<FetchOutcome> fetch(FetchRequest request, FetchPolicy policy) {
		return fetchAll(List.of(request), policy).next();
	}

}
