package io.fanout.api.security;

import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What a caller may do with its tenant's resources: every caller reads; only callers with
 * {@link #READ_WRITE} submit, cancel, delete, pause, resume or trigger. Viewer keys
 * ({@code fanout.security.viewer-keys}) are {@link #READ_ONLY}; API keys and JWTs are
 * {@link #READ_WRITE}.
 */
public enum Access {

	/** Reads only: every request but {@code GET} and {@code HEAD} gets a 403. */
	READ_ONLY,

	/** Reads and changes. */
	READ_WRITE;

	/** The authority that {@link #READ_WRITE} callers carry. */
	public static final String WRITE_AUTHORITY = "fanout:write";

	/** The authorities a caller of this access carries. */
	List<GrantedAuthority> authorities() {
		return (this == READ_WRITE) ? List.of(new SimpleGrantedAuthority(WRITE_AUTHORITY)) : List.of();
	}

	/** The access of an authenticated caller. */
	public static Access of(Authentication authentication) {
		return authentication.getAuthorities()
			.stream()
			.anyMatch((authority) -> WRITE_AUTHORITY.equals(authority.getAuthority())) ? READ_WRITE : READ_ONLY;
	}

}
