package io.fanout.api.upstreams;

import java.security.Principal;

import io.fanout.fetch.FetchClient;
import io.fanout.fetch.FetchScope;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.RestController;

/**
 * The upstreams resource, for the authenticated tenant only: the fetch client's own view of the
 * tenant's breakers and the hosts' admission. Route and documentation are on {@link UpstreamsApi}.
 */
@RestController
class UpstreamsController implements UpstreamsApi {

	private final FetchClient fetchClient;

	UpstreamsController(FetchClient fetchClient) {
		this.fetchClient = fetchClient;
	}

	@Override
	public Mono<UpstreamsResponse> list(Principal principal) {
		return Mono.fromSupplier(() -> UpstreamsResponse.of(this.fetchClient.upstreams(new FetchScope(principal.getName()))));
	}

}
