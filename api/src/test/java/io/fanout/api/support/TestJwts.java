package io.fanout.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * An RSA key pair whose public key is written to a PEM file (for
 * {@code spring.security.oauth2.resourceserver.jwt.public-key-location}), and signed tokens: by
 * default from {@link #ISSUER}, for {@link #AUDIENCE}, valid for an hour.
 */
public final class TestJwts {

	/** The issuer of the tokens; configure it as {@code fanout.security.jwt.issuer}. */
	public static final String ISSUER = "https://issuer.fanout.test";

	/** The audience of the tokens; configure it as {@code fanout.security.jwt.audiences}. */
	public static final String AUDIENCE = "fanout-api";

	private final KeyPair trusted = generate();

	private final KeyPair foreign = generate();

	private final Path publicKeyFile;

	public TestJwts(Path directory) {
		try {
			Files.createDirectories(directory);
			this.publicKeyFile = Files.createTempFile(directory, "jwt-", ".pub");
			String pem = "-----BEGIN PUBLIC KEY-----\n"
					+ Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(this.trusted.getPublic().getEncoded())
					+ "\n-----END PUBLIC KEY-----\n";
			Files.writeString(this.publicKeyFile, pem);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Where the trusted public key is, as a resource location. */
	public String publicKeyLocation() {
		return "file:" + this.publicKeyFile.toAbsolutePath();
	}

	/** The trusted public key as a JSON Web Key Set, as a {@code jwk-set-uri} serves it. */
	public String jwkSet() {
		return new JWKSet(new RSAKey.Builder((RSAPublicKey) this.trusted.getPublic()).build()).toString();
	}

	/** A token signed by the trusted key, with the default claims overridden by these. */
	public String token(Map<String, Object> claims) {
		return sign(this.trusted, claims, Set.of());
	}

	/** A token signed by the trusted key, with these claims, and without the {@code omitted} ones. */
	public String tokenWithout(Map<String, Object> claims, String... omitted) {
		return sign(this.trusted, claims, Set.of(omitted));
	}

	/** A well-formed token signed by a key the server does not trust. */
	public String foreignToken(Map<String, Object> claims) {
		return sign(this.foreign, claims, Set.of());
	}

	private static String sign(KeyPair keys, Map<String, Object> claims, Set<String> omitted) {
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issueTime(new Date())
			.expirationTime(Date.from(Instant.now().plusSeconds(3600)))
			.issuer(ISSUER)
			.audience(AUDIENCE);
		claims.forEach(builder::claim);
		omitted.forEach((name) -> builder.claim(name, null));
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), builder.build());
		try {
			jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	private static KeyPair generate() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
