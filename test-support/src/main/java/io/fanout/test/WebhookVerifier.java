package io.fanout.test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiver example of docs/api.md ("Callbacks"), line for line: verifies a Fanout callback with
 * the JDK only. Kept here so that the example the docs show is compiled and tested.
 */
public final class WebhookVerifier {

	private WebhookVerifier() {
	}

	// --- docs/api.md example: begin ---
	/** Whether a callback is Fanout's: signed with {@code secret} ({@code whsec_…}) within 5 minutes of {@code now}. */
	public static boolean verify(String secret, String id, String timestamp, String signatures, String body,
			Instant now) throws Exception {
		long sent = Long.parseLong(timestamp);
		if (Math.abs(now.getEpochSecond() - sent) > 300) {
			return false; // too old (or from the future): a replay
		}
		byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(key, "HmacSHA256"));
		byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
		for (String signature : signatures.split(" ")) { // one per secret while secrets rotate
			if (signature.startsWith("v1,") && MessageDigest.isEqual(expected,
					Base64.getDecoder().decode(signature.substring(3)))) {
				return true;
			}
		}
		return false;
	}
	// --- docs/api.md example: end ---

}
