package io.fanout.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The configured API keys, held as SHA-256 digests and checked in constant time: a presented key is
 * compared with every configured one, whatever matches, so that timing tells nothing about which
 * keys exist or how much of one was guessed.
 */
final class ApiKeys {

	/** The tenant of a generated key. */
	static final String GENERATED_TENANT = "default";

	private static final SecureRandom random = new SecureRandom();

	private final Map<String, byte[]> digests;

	private ApiKeys(Map<String, byte[]> digests) {
		this.digests = digests;
	}

	/**
	 * Keys by tenant; tenants and keys must not be blank, tenants have no {@code :} (the mark of other
	 * sources' tenants), and no key may serve two tenants.
	 */
	static ApiKeys of(Map<String, String> keysByTenant) {
		Map<String, byte[]> digests = new LinkedHashMap<>();
		Map<String, String> tenantsByKey = new LinkedHashMap<>();
		keysByTenant.forEach((tenant, key) -> {
			if (tenant == null || tenant.isBlank() || tenant.length() > 200) {
				throw new IllegalArgumentException("fanout.security.api-keys: tenant names are 1 to 200 characters");
			}
			if (tenant.indexOf(':') >= 0) {
				throw new IllegalArgumentException("fanout.security.api-keys: tenant '" + tenant
						+ "' contains ':', which is reserved for tenants of other sources (jwt:<claim>)");
			}
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException("fanout.security.api-keys." + tenant + " must not be blank");
			}
			String other = tenantsByKey.put(key, tenant);
			if (other != null) {
				throw new IllegalArgumentException(
						"fanout.security.api-keys: tenants '" + other + "' and '" + tenant + "' have the same key");
			}
			digests.put(tenant, digest(key));
		});
		return new ApiKeys(Map.copyOf(digests));
	}

	/** A new random key: 32 bytes from a {@link SecureRandom}, URL-safe Base64. */
	static String generate() {
		byte[] bytes = new byte[32];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** The tenant whose key this is, or null. */
	@Nullable String tenantOf(String presented) {
		byte[] digest = digest(presented);
		String match = null;
		for (Map.Entry<String, byte[]> entry : this.digests.entrySet()) {
			// No early exit: every configured key is compared.
			if (MessageDigest.isEqual(digest, entry.getValue())) {
				match = entry.getKey();
			}
		}
		return match;
	}

	/** How many keys there are. */
	int size() {
		return this.digests.size();
	}

	private static byte[] digest(String key) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

}
