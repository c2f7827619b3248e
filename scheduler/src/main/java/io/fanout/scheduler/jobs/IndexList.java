package io.fanout.scheduler.jobs;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of request indexes held as an {@code int[]}: 4 bytes each where a list of
 * {@code Integer}s takes about 20. A rerun of a million requests carries a million of them from its
 * original's results to its stored source indexes.
 */
final class IndexList extends AbstractList<Integer> implements RandomAccess {

	private final int[] indexes;

	private final int size;

	private IndexList(int[] indexes, int size) {
		this.indexes = indexes;
		this.size = size;
	}

	@Override
	public Integer get(int index) {
		Objects.checkIndex(index, this.size);
		return this.indexes[index];
	}

	@Override
	public int size() {
		return this.size;
	}

	/** Collects indexes one at a time, growing as needed. */
	static final class Builder {

		private int[] indexes = new int[16];

		private int size;

		Builder add(int index) {
			if (this.size == this.indexes.length) {
				this.indexes = Arrays.copyOf(this.indexes, this.size * 2);
			}
			this.indexes[this.size++] = index;
			return this;
		}

		IndexList build() {
			return new IndexList(Arrays.copyOf(this.indexes, this.size), this.size);
		}

	}

}
