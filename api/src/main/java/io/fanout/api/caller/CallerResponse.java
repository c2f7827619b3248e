package io.fanout.api.caller;

import io.fanout.api.security.Access;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Who the caller is.
 *
 * @param tenant the tenant its credentials act for
 * @param access what it may do
 */
@Schema(name = "Caller", description = "The tenant the credentials act for, and what they may do.")
record CallerResponse(
		@Schema(description = "The tenant: the API key's, or `jwt:` and the JWT's tenant claim.", example = "alice",
				requiredMode = Schema.RequiredMode.REQUIRED) String tenant,
		@Schema(description = "`READ_WRITE`, or `READ_ONLY` for a viewer key: every request but GET gets a 403.",
				example = "READ_WRITE", requiredMode = Schema.RequiredMode.REQUIRED) Access access) {
}
