/**
 * Who may call the API and as which tenant: API keys in the {@code X-API-Key} header, and bearer JWTs
 * when a resource server is configured. The tenant is the authenticated name; every job belongs to
 * one.
 */
@NullMarked
package io.fanout.api.security;

import org.jspecify.annotations.NullMarked;
