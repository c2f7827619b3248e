package io.fanout.api.problems;

/**
 * One invalid part of a request, in the {@code errors} list of a validation problem.
 *
 * @param field where it is: a JSON path into the body ({@code requests[3].url}), a query parameter or
 * a header name
 * @param message what is wrong with it
 */
public record InvalidField(String field, String message) {
}
