/**
 * The OpenAPI document served at {@code /v3/api-docs} (Swagger UI at {@code /swagger-ui.html}): what
 * the controllers' annotations do not say — API information, security schemes, the Problem schema and
 * the shared error responses. {@code docs/openapi.json} is a snapshot of it, checked by a test.
 */
@NullMarked
package io.fanout.api.openapi;

import org.jspecify.annotations.NullMarked;
