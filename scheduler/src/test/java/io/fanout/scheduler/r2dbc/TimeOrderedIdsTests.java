package io.fanout.scheduler.r2dbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.fanout.test.SettableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job ids are version 7 UUIDs in generation order, even within one millisecond.
 */
class TimeOrderedIdsTests {

	@Test
	void idsSortInGenerationOrderAndCarryTheTime() {
		SettableClock clock = SettableClock.startingAt2030();
		long start = clock.millis();
		TimeOrderedIds ids = new TimeOrderedIds(clock);
		List<UUID> generated = new ArrayList<>();
		for (int i = 0; i < 5000; i++) {
			generated.add(ids.next());
			if (i % 1000 == 999) {
				clock.advance(Duration.ofMillis(1));
			}
		}
		assertThat(generated).isSorted().doesNotHaveDuplicates();
		assertThat(generated).allSatisfy((id) -> {
			assertThat(id.version()).isEqualTo(7);
			assertThat(id.variant()).isEqualTo(2);
		});
		assertThat(generated.get(0).getMostSignificantBits() >>> 16).isEqualTo(start);
	}

}
