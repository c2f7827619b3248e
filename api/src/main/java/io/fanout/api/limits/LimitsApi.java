package io.fanout.api.limits;

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
 * The limits resource as clients see it: its route and OpenAPI documentation. {@link LimitsController}
 * implements it.
 */
@RequestMapping(LimitsApi.BASE_PATH)
@Tag(name = "Limits", description = "The calling tenant's quotas and what it uses of them.")
interface LimitsApi {

	String BASE_PATH = "/api/v1/limits";

	String JSON = MediaType.APPLICATION_JSON_VALUE;

	@Operation(operationId = "getLimits", summary = "Show the tenant's quotas and usage",
			description = "The calling tenant's quotas, as the server is configured for it, and what it uses of each "
					+ "now, counted from the database: the same on every Fanout instance. Read-only.")
	@ApiResponse(responseCode = "200", description = "The quotas and usage.",
			content = @Content(mediaType = JSON, schema = @Schema(implementation = LimitsResponse.class)))
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<LimitsResponse> get(@Parameter(hidden = true) Principal principal);

}
