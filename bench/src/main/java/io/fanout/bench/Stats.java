package io.fanout.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median with min and max over the measured runs. */
record Stats(double median, double min, double max, List<Double> runs) {

	static Stats of(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int n = sorted.size();
		double median = (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
		return new Stats(median, sorted.get(0), sorted.get(n - 1), List.copyOf(values));
	}

	String format(String unit) {
		return String.format("%.2f %s (%.2f–%.2f)", this.median, unit, this.min, this.max);
	}

}
