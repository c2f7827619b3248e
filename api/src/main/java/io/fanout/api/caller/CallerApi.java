package io.fanout.api.caller;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Who the caller is: its route and OpenAPI documentation. {@link CallerController} implements it.
 */
@RequestMapping(CallerApi.BASE_PATH)
@Tag(name = "Caller", description = "The tenant the credentials act for, and what they may do.")
interface CallerApi {

	String BASE_PATH = "/api/v1/me";

	String JSON = MediaType.APPLICATION_JSON_VALUE;

	@Operation(operationId = "getCaller", summary = "Show who the credentials act for",
			description = "The tenant the API key or JWT acts for, and whether it may change anything: a viewer key "
					+ "(`fanout.security.viewer-keys`) reads only. A client (the dashboard, say) uses it to check "
					+ "credentials and to show only the controls that will work.")
	@ApiResponse(responseCode = "200", description = "The caller.",
			content = @Content(mediaType = JSON, schema = @Schema(implementation = CallerResponse.class)))
	@ApiResponse(responseCode = "401", ref = "#/components/responses/Unauthorized")
	@ApiResponse(responseCode = "500", ref = "#/components/responses/InternalError")
	@GetMapping(produces = JSON)
	Mono<CallerResponse> get(@Parameter(hidden = true) Authentication authentication);

}
