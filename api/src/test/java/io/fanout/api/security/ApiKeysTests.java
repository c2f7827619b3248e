package io.fanout.api.security;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * API keys name their tenant, and refuse what would make them ambiguous.
 */
class ApiKeysTests {

	@Test
	void aKeyNamesItsTenant() {
		ApiKeys keys = ApiKeys.of(Map.of("team-a", "key-a-0123456789", "team-b", "key-b-0123456789"));

		assertThat(keys.tenantOf("key-a-0123456789")).isEqualTo("team-a");
		assertThat(keys.tenantOf("key-b-0123456789")).isEqualTo("team-b");
		assertThat(keys.size()).isEqualTo(2);
	}

	@Test
	void anUnknownKeyNamesNoTenant() {
		ApiKeys keys = ApiKeys.of(Map.of("team-a", "key-a-0123456789"));

		assertThat(keys.tenantOf("key-a-012345678")).isNull();
		assertThat(keys.tenantOf("")).isNull();
		assertThat(keys.tenantOf("KEY-A-0123456789")).isNull();
	}

	@Test
	void twoTenantsCannotShareAKey() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ApiKeys.of(Map.of("team-a", "same-key-0123", "team-b", "same-key-0123")))
			.withMessageContaining("have the same key");
	}

	@Test
	void viewerKeysActForTheirTenantReadOnly() {
		ApiKeys keys = ApiKeys.of(Map.of("team-a", "key-a-0123456789"), Map.of("team-a", "view-a-0123456789"));

		assertThat(keys.holderOf("key-a-0123456789")).isEqualTo(new ApiKeys.Holder("team-a", false));
		assertThat(keys.holderOf("view-a-0123456789")).isEqualTo(new ApiKeys.Holder("team-a", true));
		assertThat(keys.size()).isEqualTo(2);
	}

	@Test
	void aKeyCannotBeBothAWriterAndAViewer() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ApiKeys.of(Map.of("team-a", "same-key-0123"), Map.of("team-b", "same-key-0123")))
			.withMessage("fanout.security.api-keys.team-a and fanout.security.viewer-keys.team-b have the same key");
	}

	@Test
	void viewerKeysFollowTheSameRules() {
		assertThatIllegalArgumentException().isThrownBy(() -> ApiKeys.of(Map.of(), Map.of("team-a", "")))
			.withMessage("fanout.security.viewer-keys.team-a must not be blank");
	}

	@Test
	void tenantNamesWithTheMarkOfAnotherSourceAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> ApiKeys.of(Map.of("jwt:team-a", "key-a-0123456789")))
			.withMessageContaining("tenant 'jwt:team-a' contains ':'");
	}

	@Test
	void blankKeysAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> ApiKeys.of(Map.of("team-a", " ")))
			.withMessage("fanout.security.api-keys.team-a must not be blank");
	}

	@Test
	void generatedKeysAreLongAndRandom() {
		String first = ApiKeys.generate();
		String second = ApiKeys.generate();

		assertThat(first).hasSize(43).matches("[A-Za-z0-9_-]+");
		assertThat(first).isNotEqualTo(second);
	}

}
