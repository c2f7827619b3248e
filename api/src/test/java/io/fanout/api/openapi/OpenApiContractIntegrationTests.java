package io.fanout.api.openapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/openapi.json} is the published contract: the document the application serves must be
 * equal to it. After an intended change of the API, regenerate it with
 * {@value #REGENERATE}.
 */
class OpenApiContractIntegrationTests extends FanoutIntegrationTest {

	/** The one command that rewrites the contract from the running application. */
	static final String REGENERATE = "./mvnw -B -q -pl api -am verify -Dtest=OpenApiContractIntegrationTests "
			+ "-Dsurefire.failIfNoSpecifiedTests=false -Dfanout.openapi.update=true";

	private static final Path CONTRACT = Path.of("..", "docs", "openapi.json");

	private static final JsonMapper json = JsonMapper.builder()
		.enable(SerializationFeature.INDENT_OUTPUT)
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	@Test
	void theServedDocumentIsThePublishedContract() throws IOException {
		String served = apiDocs();
		if (Boolean.getBoolean("fanout.openapi.update")) {
			Files.writeString(CONTRACT, served.strip() + "\n");
		}

		assertThat(CONTRACT).as("%s is missing; create it with: %s", CONTRACT, REGENERATE).exists();
		assertThat(normalized(served))
			.as("The served OpenAPI document differs from %s. If the change is intended, regenerate it with: %s",
					CONTRACT, REGENERATE)
			.isEqualTo(normalized(Files.readString(CONTRACT)));
	}

	@Test
	void everyOperationIsDocumentedWithItsErrors() {
		JsonNode document = json.readTree(apiDocs());
		List<String> operations = new ArrayList<>();
		for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
			for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
				JsonNode op = operation.getValue();
				operations.add(operation.getKey() + " " + path.getKey());
				assertThat(op.path("summary").asString()).as("summary of %s", operations).isNotBlank();
				assertThat(op.path("description").asString()).as("description of %s", operations).isNotBlank();
				assertThat(op.path("operationId").asString()).isNotBlank();
				JsonNode responses = op.get("responses");
				assertThat(responses.has("401")).as("401 of %s", operations).isTrue();
				assertThat(responses.has("500")).as("500 of %s", operations).isTrue();
				for (Map.Entry<String, JsonNode> response : responses.properties()) {
					if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
						String ref = response.getValue().path("$ref").asString();
						assertThat(ref).as("%s of %s", response.getKey(), operations).startsWith("#/components/responses/");
						String name = ref.substring(ref.lastIndexOf('/') + 1);
						assertThat(document.at("/components/responses/" + name + "/content/application~1problem+json"
								+ "/schema/$ref").asString()).isEqualTo("#/components/schemas/Problem");
					}
				}
			}
		}
		assertThat(operations).containsExactlyInAnyOrder("get /api/v1/jobs", "post /api/v1/jobs", "post /api/v1/jobs/stream",
				"get /api/v1/jobs/{id}", "delete /api/v1/jobs/{id}", "post /api/v1/jobs/{id}/cancel",
				"post /api/v1/jobs/{id}/callback/redeliver", "post /api/v1/jobs/{id}/rerun",
				"get /api/v1/jobs/{id}/results", "get /api/v1/limits", "get /api/v1/me", "get /api/v1/upstreams", "get /api/v1/schedules", "post /api/v1/schedules",
				"get /api/v1/schedules/{id}", "put /api/v1/schedules/{id}", "delete /api/v1/schedules/{id}",
				"post /api/v1/schedules/{id}/pause", "post /api/v1/schedules/{id}/resume",
				"post /api/v1/schedules/{id}/trigger");
		assertThat(document.at("/components/securitySchemes/apiKey/name").asString()).isEqualTo("X-API-Key");
		assertThat(document.at("/components/securitySchemes/bearerJwt/scheme").asString()).isEqualTo("bearer");
		assertThat(document.at("/paths/~1api~1v1~1jobs~1{id}~1results/get/responses/200/content").propertyNames())
			.containsExactlyInAnyOrder("application/json", "application/x-ndjson", "text/event-stream");
	}

	@Test
	void swaggerUiIsServedWithoutCredentials() {
		this.client.get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection();
		this.client.get().uri("/swagger-ui/index.html").exchange().expectStatus().isOk();
		this.client.get().uri("/v3/api-docs/swagger-config").exchange().expectStatus().isOk();
		this.client.get().uri("/v3/api-docs.yaml").exchange().expectStatus().isOk();
	}

	private String apiDocs() {
		return this.client.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
	}

	private static String normalized(String document) {
		return json.writeValueAsString(json.readTree(document));
	}

}
