package io.fanout.scheduler;

import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of job callbacks: how their deliveries are sent and retried, and the secrets they are
 * signed with.
 *
 * @param enabled whether this instance delivers callbacks (every instance that runs workers should)
 * @param pollInterval how often the outbox is looked at for due deliveries
 * @param batchSize most deliveries claimed at one look
 * @param maxConcurrentDeliveries most deliveries in flight at once on this instance
 * @param requestTimeout limit for one attempt: connect, response and body
 * @param initialBackoff wait before the first retry, at most; it doubles with each retry, with full jitter
 * @param maxBackoff longest wait between two attempts
 * @param retryPeriod how long a delivery is retried, from its first attempt; then it is marked failed
 * @param leaseDuration how long an instance holds a delivery it sends; another takes it over after,
 * so keep it above the request timeout
 * @param secrets signing secrets by tenant, each written {@code whsec_<base64>}:
 * {@code fanout.callbacks.secrets.<tenant>=whsec_…}, or the environment variable
 * {@code FANOUT_CALLBACKS_SECRETS_<TENANT>} (the tenant name is then lower case); a tenant name with
 * other characters than letters, digits and {@code -} goes in brackets
 * ({@code fanout.callbacks.secrets.[jwt:alice]}). Several secrets, comma-separated, sign each
 * delivery with every one: list the new one next to the old while receivers move over. A tenant
 * without a secret cannot submit a callback
 */
@ConfigurationProperties("fanout.callbacks")
public record CallbackProperties(@DefaultValue("true") boolean enabled, @DefaultValue("1s") Duration pollInterval,
		@DefaultValue("20") int batchSize, @DefaultValue("16") int maxConcurrentDeliveries,
		@DefaultValue("10s") Duration requestTimeout, @DefaultValue("5s") Duration initialBackoff,
		@DefaultValue("30m") Duration maxBackoff, @DefaultValue("24h") Duration retryPeriod,
		@DefaultValue("1m") Duration leaseDuration, @DefaultValue Map<String, List<String>> secrets) {

	/** The prefix of a secret as written. */
	public static final String SECRET_PREFIX = "whsec_";

	/** Fewest bytes of a secret (the Standard Webhooks specification asks for 24 to 64). */
	public static final int MIN_SECRET_BYTES = 24;

	public CallbackProperties {
		positive("poll-interval", pollInterval);
		positive("request-timeout", requestTimeout);
		positive("initial-backoff", initialBackoff);
		positive("max-backoff", maxBackoff);
		positive("retry-period", retryPeriod);
		positive("lease-duration", leaseDuration);
		if (batchSize < 1 || batchSize > 1000) {
			throw new IllegalArgumentException("fanout.callbacks.batch-size must be between 1 and 1000");
		}
		if (maxConcurrentDeliveries < 1) {
			throw new IllegalArgumentException("fanout.callbacks.max-concurrent-deliveries must be at least 1");
		}
		if (leaseDuration.compareTo(requestTimeout) <= 0) {
			throw new IllegalArgumentException("fanout.callbacks.lease-duration must be longer than request-timeout");
		}
		Map<String, List<String>> copy = new TreeMap<>();
		if (secrets != null) {
			secrets.forEach((tenant, list) -> {
				List<String> kept = (list != null) ? list.stream().map(String::strip).filter((s) -> !s.isEmpty()).toList()
						: List.of();
				kept.forEach((secret) -> secretBytes(tenant, secret));
				if (!kept.isEmpty()) {
					copy.put(tenant, kept);
				}
			});
		}
		secrets = Collections.unmodifiableMap(copy);
	}

	/** The defaults, as documented on each property, and no secret. */
	public static CallbackProperties defaults() {
		return new CallbackProperties(true, Duration.ofSeconds(1), 20, 16, Duration.ofSeconds(10), Duration.ofSeconds(5),
				Duration.ofMinutes(30), Duration.ofHours(24), Duration.ofMinutes(1), Map.of());
	}

	/** The same settings with these secrets. */
	public CallbackProperties withSecrets(Map<String, List<String>> secrets) {
		return new CallbackProperties(this.enabled, this.pollInterval, this.batchSize, this.maxConcurrentDeliveries,
				this.requestTimeout, this.initialBackoff, this.maxBackoff, this.retryPeriod, this.leaseDuration, secrets);
	}

	/** The tenant's secrets, decoded, in the order configured; empty if it has none. */
	public List<byte[]> secretsOf(String tenant) {
		List<String> written = this.secrets.get(tenant);
		return (written != null) ? written.stream().map((secret) -> secretBytes(tenant, secret)).toList() : List.of();
	}

	private static byte[] secretBytes(String tenant, String secret) {
		String where = "fanout.callbacks.secrets.[" + tenant + "]";
		if (!secret.startsWith(SECRET_PREFIX)) {
			throw new IllegalArgumentException(where + ": a secret is written " + SECRET_PREFIX + "<base64>");
		}
		byte[] bytes;
		try {
			bytes = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(where + ": the part after " + SECRET_PREFIX + " is not base64");
		}
		if (bytes.length < MIN_SECRET_BYTES) {
			throw new IllegalArgumentException(where + ": a secret needs at least " + MIN_SECRET_BYTES + " bytes");
		}
		return bytes;
	}

	private static void positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("fanout.callbacks." + name + " must be positive");
		}
	}

}
