package io.fanout.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that needs the local PostgreSQL. Without it, the class is skipped and reported
 * as such with the reason; with {@code FANOUT_REQUIRE_POSTGRES=true} (CI) it runs anyway, and
 * {@link TestDatabase#postgres()} fails it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPostgres.Condition.class)
public @interface RequiresPostgres {

	/** Skips the class when PostgreSQL is unreachable and not required. */
	final class Condition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (TestDatabase.postgresReachable() || TestDatabase.postgresRequired()) {
				return ConditionEvaluationResult.enabled("PostgreSQL is reachable or required");
			}
			return ConditionEvaluationResult.disabled(TestDatabase.postgresUnreachableMessage()
					+ ": skipping the PostgreSQL tests (start it, or set FANOUT_REQUIRE_POSTGRES=true to make its "
					+ "absence fail the build)");
		}

	}

}
