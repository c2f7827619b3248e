package io.fanout.api.caller;

import io.fanout.api.security.Access;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is, from its authentication alone. Route and documentation are on {@link CallerApi}.
 */
@RestController
class CallerController implements CallerApi {

	@Override
	public Mono<CallerResponse> get(Authentication authentication) {
		return Mono.just(new CallerResponse(authentication.getName(), Access.of(authentication)));
	}

}
