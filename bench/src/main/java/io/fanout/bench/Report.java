package io.fanout.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** Collects the figures, prints them as a table and writes them as JSON. */
final class Report {

	private final int runs;

	private final Map<String, Object> root = new LinkedHashMap<>();

	private final List<Map<String, Object>> rows = new ArrayList<>();

	private final Map<String, String> notes = new LinkedHashMap<>();

	Report(int runs) {
		this.runs = runs;
		this.root.put("warmUpRuns", 1);
		this.root.put("measuredRuns", runs);
	}

	void machine(Map<String, String> machine) {
		this.root.put("machine", machine);
	}

	void note(String name, String value) {
		this.notes.put(name, value);
		System.out.println(name + ": " + value);
	}

	/**
	 * A wall-time scenario with a floor and a baseline; with a peak RSS, met only within
	 * {@link #MAX_PEAK_RSS_MIB} too.
	 */
	void scenario(String id, String workload, double floor, double target, Stats fanout, Stats baseline,
			Double peakRssMib) {
		Map<String, Object> row = row(id, workload);
		row.put("floorSeconds", floor);
		row.put("fanoutSeconds", fanout);
		row.put("baselineSeconds", baseline);
		row.put("ratioToFloor", fanout.median() / floor);
		row.put("ratioToBaseline", fanout.median() / baseline.median());
		String rssTarget = (peakRssMib != null) ? ", peak RSS ≤ " + MAX_PEAK_RSS_MIB + " MiB" : "";
		row.put("target", "≤ " + target + " × floor" + rssTarget);
		boolean met = fanout.median() <= target * floor && (peakRssMib == null || peakRssMib <= MAX_PEAK_RSS_MIB);
		row.put("met", met);
		if (peakRssMib != null) {
			row.put("peakRssMib", peakRssMib);
		}
		add(row, String.format("fanout %s | baseline %s | ×floor %.3f | ×baseline %.3f%s | target ≤ %.2f × floor%s: %s",
				fanout.format("s"), baseline.format("s"), fanout.median() / floor, fanout.median() / baseline.median(),
				(peakRssMib != null) ? String.format(" | peak RSS %.0f MiB", peakRssMib) : "", target,
				rssTarget, verdict(met)));
	}

	/** The most resident memory a scenario that measures it may reach (S3, in {@code -Xmx256m}). */
	static final int MAX_PEAK_RSS_MIB = 450;

	/** A throughput scenario: fetches per second against the baseline's. */
	void throughput(String id, String workload, int fetches, Stats fanout, Stats baseline, double minRatio) {
		double fanoutRate = fetches / fanout.median();
		double baselineRate = fetches / baseline.median();
		Map<String, Object> row = row(id, workload);
		row.put("fanoutSeconds", fanout);
		row.put("baselineSeconds", baseline);
		row.put("fanoutFetchesPerSecond", fanoutRate);
		row.put("baselineFetchesPerSecond", baselineRate);
		row.put("ratioToBaseline", fanoutRate / baselineRate);
		row.put("met", fanoutRate / baselineRate >= minRatio);
		add(row, String.format("fanout %.0f/s (%s) | baseline %.0f/s (%s) | ×baseline %.3f | target ≥ %.2f: %s",
				fanoutRate, fanout.format("s"), baselineRate, baseline.format("s"), fanoutRate / baselineRate, minRatio,
				verdict(fanoutRate / baselineRate >= minRatio)));
	}

	/** Many jobs at once. */
	void jobs(String id, String workload, int fetches, Stats total, Stats spread) {
		Map<String, Object> row = row(id, workload);
		row.put("totalSeconds", total);
		row.put("fetchesPerSecond", fetches / total.median());
		row.put("jobDurationSpreadSeconds", spread);
		add(row, String.format("all complete in %s | %.0f fetches/s | job duration spread %s", total.format("s"),
				fetches / total.median(), spread.format("s")));
	}

	/** The API under load. */
	void apiLoad(String id, String workload, double requestsPerSecond, double p99Millis, long errors, String tool) {
		Map<String, Object> row = row(id, workload);
		row.put("requestsPerSecond", requestsPerSecond);
		row.put("p99Millis", p99Millis);
		row.put("errors", errors);
		row.put("tool", tool);
		add(row, String.format("%.0f req/s | p99 %.1f ms | errors %d (%s)", requestsPerSecond, p99Millis, errors, tool));
	}

	/** API load while a job runs: met when p99 is within {@code maxP99Millis}, no errors, and the job ran throughout. */
	void apiLoadUnder(String id, String workload, double requestsPerSecond, double p99Millis, long errors, String tool,
			double maxP99Millis, boolean jobRanThroughout) {
		Map<String, Object> row = row(id, workload);
		row.put("requestsPerSecond", requestsPerSecond);
		row.put("p99Millis", p99Millis);
		row.put("errors", errors);
		row.put("tool", tool);
		row.put("jobRanThroughout", jobRanThroughout);
		boolean met = p99Millis <= maxP99Millis && errors == 0 && jobRanThroughout;
		row.put("met", met);
		add(row, String.format("%.0f req/s | p99 %.1f ms | errors %d (%s) | job %s | target p99 ≤ %.0f ms: %s",
				requestsPerSecond, p99Millis, errors, tool, jobRanThroughout ? "ran throughout" : "ended before the load",
				maxP99Millis, verdict(met)));
	}

	void startup(String id, String workload, Stats seconds, double target) {
		Map<String, Object> row = row(id, workload);
		row.put("seconds", seconds);
		row.put("met", seconds.median() <= target);
		add(row, String.format("%s | target ≤ %.1f s: %s", seconds.format("s"), target, verdict(seconds.median() <= target)));
	}

	/** The Fanout process's GC time and allocation over the last row's measured runs, added to that row. */
	void usage(JvmMeter.Usage usage) {
		if (usage == null || this.rows.isEmpty()) {
			return;
		}
		Map<String, Object> row = this.rows.get(this.rows.size() - 1);
		row.put("gcMillisPerRun", usage.gcMillisPerRun());
		row.put("gcCollectionsPerRun", usage.collectionsPerRun());
		row.put("allocatedMibPerRun", usage.allocatedMibPerRun());
		row.put("allocationMibPerSecond", usage.mibPerSecond());
		row.put("summary", row.get("summary") + " | " + usage.format());
		System.out.println("  " + usage.format());
	}

	/** S8: one large job, which may be refused or fail; {@code fanout} is null unless it completed. */
	void largeJob(String id, String workload, String outcome, int fetches, Stats fanout, Stats baseline,
			double minRatio) {
		Map<String, Object> row = row(id, workload);
		row.put("outcome", outcome);
		row.put("baselineSeconds", baseline);
		double baselineRate = fetches / baseline.median();
		row.put("baselineFetchesPerSecond", baselineRate);
		if (fanout == null) {
			row.put("met", false);
			add(row, String.format("%s | baseline %.0f/s (%s) | target ≥ %.2f × baseline, completes: MISSED", outcome,
					baselineRate, baseline.format("s"), minRatio));
			return;
		}
		double fanoutRate = fetches / fanout.median();
		row.put("fanoutSeconds", fanout);
		row.put("fanoutFetchesPerSecond", fanoutRate);
		row.put("ratioToBaseline", fanoutRate / baselineRate);
		row.put("met", fanoutRate / baselineRate >= minRatio);
		add(row, String.format("%s | fanout %.0f/s (%s) | baseline %.0f/s (%s) | ×baseline %.3f | target ≥ %.2f: %s",
				outcome, fanoutRate, fanout.format("s"), baselineRate, baseline.format("s"), fanoutRate / baselineRate,
				minRatio, verdict(fanoutRate / baselineRate >= minRatio)));
	}

	private Map<String, Object> row(String id, String workload) {
		Map<String, Object> row = new LinkedHashMap<>();
		row.put("scenario", id);
		row.put("workload", workload);
		return row;
	}

	private void add(Map<String, Object> row, String line) {
		row.put("summary", line);
		this.rows.add(row);
		System.out.println(row.get("scenario") + " " + row.get("workload") + ": " + line);
	}

	private static String verdict(boolean met) {
		return met ? "met" : "MISSED";
	}

	void print(PrintStream out) {
		out.println();
		out.println("machine: " + this.root.get("machine"));
		out.println("runs: 1 warm-up + " + this.runs + " measured; median (min–max)");
		this.notes.forEach((name, value) -> out.println(name + ": " + value));
		out.println();
		out.println("| scenario | workload | result |");
		out.println("| --- | --- | --- |");
		for (Map<String, Object> row : this.rows) {
			out.println("| " + row.get("scenario") + " | " + row.get("workload") + " | " + row.get("summary") + " |");
		}
	}

	String toJson() {
		this.root.put("notes", this.notes);
		this.root.put("results", this.rows);
		return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(this.root);
	}

}
