package io.fanout.scheduler.callbacks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures per the Standard Webhooks specification: {@code v1,<base64 HMAC-SHA256>} of
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, one per secret, separated by spaces, so that a
 * receiver holding any one of the tenant's secrets verifies during a rotation.
 */
final class Signatures {

	private static final String ALGORITHM = "HmacSHA256";

	private Signatures() {
	}

	/** The {@code webhook-signature} header's value. */
	static String header(List<byte[]> secrets, String webhookId, long timestamp, String body) {
		if (secrets.isEmpty()) {
			throw new IllegalArgumentException("at least one secret is needed");
		}
		byte[] content = (webhookId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
		StringJoiner header = new StringJoiner(" ");
		for (byte[] secret : secrets) {
			header.add("v1," + Base64.getEncoder().encodeToString(hmac(secret, content)));
		}
		return header.toString();
	}

	private static byte[] hmac(byte[] secret, byte[] content) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(new SecretKeySpec(secret, ALGORITHM));
			return mac.doFinal(content);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every Java platform", ex);
		}
	}

}
