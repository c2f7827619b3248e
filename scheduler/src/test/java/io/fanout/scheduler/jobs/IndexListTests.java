package io.fanout.scheduler.jobs;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIndexOutOfBoundsException;

class IndexListTests {

	@Test
	void holdsWhatWasAddedInOrderAsAnyListOfTheSameWould() {
		IndexList.Builder builder = new IndexList.Builder();
		IntStream.range(0, 2_500).forEach((i) -> builder.add(3 * i));
		List<Integer> indexes = builder.build();
		List<Integer> expected = IntStream.range(0, 2_500).mapToObj((i) -> 3 * i).toList();
		assertThat(indexes).hasSize(2_500).isEqualTo(expected).hasSameHashCodeAs(expected);
		assertThat(indexes.subList(999, 1_001)).containsExactly(2_997, 3_000);
		assertThatIndexOutOfBoundsException().isThrownBy(() -> indexes.get(2_500));
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> indexes.add(1));
		assertThat(new IndexList.Builder().build()).isEmpty();
	}

	@Test
	void aNewJobKeepsItRatherThanBoxingACopy() {
		List<Integer> indexes = new IndexList.Builder().add(1).add(3).build();
		NewJob job = new NewJob(java.util.UUID.randomUUID(), "alice", JobStoreContractTests.spec(2), null, null,
				java.time.Instant.EPOCH, null, java.util.UUID.randomUUID(), indexes);
		assertThat(job.sourceIndexes()).isSameAs(indexes);
	}

}
