package io.fanout.api.limits;

import java.security.Principal;

import io.fanout.scheduler.LimitsService;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.RestController;

/**
 * The limits resource, for the authenticated tenant only. The counting is the scheduler's
 * ({@link LimitsService}). Route and documentation are on {@link LimitsApi}.
 */
@RestController
class LimitsController implements LimitsApi {

	private final LimitsService limits;

	LimitsController(LimitsService limits) {
		this.limits = limits;
	}

	@Override
	public Mono<LimitsResponse> get(Principal principal) {
		return this.limits.limits(principal.getName()).map(LimitsResponse::of);
	}

}
