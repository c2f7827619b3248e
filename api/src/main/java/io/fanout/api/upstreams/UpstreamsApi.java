package io.fanout.api.upstreams;

import java.security.Principal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The upstreams resource as clients see it: its route and OpenAPI documentation.
 * {@link UpstreamsController} implements it.
 */
@RequestMapping(UpstreamsApi.BASE_PATH)
@Tag(name = "Upstreams", description = "The upstream hosts the calling tenant's requests went to, and their guards.")
interface UpstreamsApi {

	String BASE_PATH = "/api/v1/upstreams";

	String JSON = MediaType.APPLICATION_JSON_VALUE;

	@Operation(operationId = "listUpstreams", summary = "Show the hosts the tenant's requests go to",
			description = "Per upstream host that the calling tenant's requests reached recently on this instance: the "
					+ "state of the tenant's own circuit breaker and the outcomes in its window, and the host's "
					+ "concurrency and pace, which every tenant sending to it shares. Read-only; what one instance "
					+ "sees (each replica keeps its own breakers).")
	@ApiResponse(responseCode = "200", description = "The hosts, by name.",
			content = @Content(mediaType = JSON, schema = @Schema(implementation = UpstreamsResponse.class)))
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<UpstreamsResponse> list(@Parameter(hidden = true) Principal principal);

}
