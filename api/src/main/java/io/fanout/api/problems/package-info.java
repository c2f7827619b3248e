/**
 * Every error as an RFC 9457 Problem Details document ({@code application/problem+json}) with a
 * stable {@code type} URI per kind of error: {@link io.fanout.api.problems.ProblemType}, mapped once in
 * {@link io.fanout.api.problems.ProblemsAdvice}, with {@link io.fanout.api.problems.ProblemWriter} for
 * responses written outside controllers (security, the last-resort exception handler).
 */
@NullMarked
package io.fanout.api.problems;

import org.jspecify.annotations.NullMarked;
