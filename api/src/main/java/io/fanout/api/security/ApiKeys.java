package io.fanout.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
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

	private final List<Entry> entries;

	private ApiKeys(List<Entry> entries) {
		this.entries = entries;
	}

	/** Keys by tenant, every one with full access. */
	static ApiKeys of(Map<String, String> keysByTenant) {
		return of(keysByTenant, Map.of());
	}

	/**
	 * Keys by tenant with full access, and read-only ({@code viewer}) keys by tenant; tenants and keys
	 * must not be blank, tenants have no {@code :} (the mark of other sources' tenants), and no key
	 * may serve two tenants or both roles.
	 */
	static ApiKeys of(Map<String, String> keysByTenant, Map<String, String> viewerKeysByTenant) {
		List<Entry> entries = new ArrayList<>();
		Map<String, String> ownersByKey = new LinkedHashMap<>();
		add(entries, ownersByKey, "fanout.security.api-keys", keysByTenant, false);
		add(entries, ownersByKey, "fanout.security.viewer-keys", viewerKeysByTenant, true);
		return new ApiKeys(List.copyOf(entries));
	}

	private static void add(List<Entry> entries, Map<String, String> ownersByKey, String property,
			Map<String, String> keysByTenant, boolean readOnly) {
		keysByTenant.forEach((tenant, key) -> {
			if (tenant == null || tenant.isBlank() || tenant.length() > 200) {
				throw new IllegalArgumentException(property + ": tenant names are 1 to 200 characters");
			}
			if (tenant.indexOf(':') >= 0) {
				throw new IllegalArgumentException(property + ": tenant '" + tenant
						+ "' contains ':', which is reserved for tenants of other sources (jwt:<claim>)");
			}
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException(property + "." + tenant + " must not be blank");
			}
			String owner = property + "." + tenant;
			String other = ownersByKey.put(key, owner);
			if (other != null) {
				throw new IllegalArgumentException(other + " and " + owner + " have the same key");
			}
			entries.add(new Entry(tenant, readOnly, digest(key)));
		});
	}

	/** A new random key: 32 bytes from a {@link SecureRandom}, URL-safe Base64. */
	static String generate() {
		byte[] bytes = new byte[32];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** Who holds this key, or null. */
	@Nullable Holder holderOf(String presented) {
		byte[] digest = digest(presented);
		Holder match = null;
		for (Entry entry : this.entries) {
			// No early exit: every configured key is compared.
			if (MessageDigest.isEqual(digest, entry.digest())) {
				match = new Holder(entry.tenant(), entry.readOnly());
			}
		}
		return match;
	}

	/** The tenant whose key this is, or null. */
	@Nullable String tenantOf(String presented) {
		Holder holder = holderOf(presented);
		return (holder != null) ? holder.tenant() : null;
	}

	/** How many keys there are. */
	int size() {
		return this.entries.size();
	}

	private static byte[] digest(String key) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/**
	 * The holder of a key.
	 *
	 * @param tenant the tenant it acts for
	 * @param readOnly whether it is a viewer key: it may read, not change anything
	 */
	record Holder(String tenant, boolean readOnly) {
	}

	private record Entry(String tenant, boolean readOnly, byte[] digest) {
	}

}
