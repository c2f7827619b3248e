package io.fanout.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the benchmark scenarios of docs/benchmarks.md and prints a table (and writes it as JSON).
 * Every figure is a median over the measured runs, with min–max, and a ratio to its floor and to
 * a bare Reactor Netty baseline measured in the same run.
 * <p>
 * Options: {@code --jar api.jar} (required unless {@code --url}), {@code --url URL --api-key KEY}
 * to measure a running Fanout instead, {@code --postgres} to run S4 on PostgreSQL as well
 * ({@code --postgres-only}: only that),
 * {@code --runs N} (default 3), {@code --scenarios S1,S4} (default all), {@code --scale F} to
 * divide request counts (smoke runs), {@code --out DIR}, {@code --fanout-jvm "-Xmx…"} (default
 * {@code -Xmx256m -XX:+UseSerialGC}, docs/deployment.md), {@code --no-cds} to start Fanout with plain
 * {@code java -jar} instead of its deployment form ({@code --image-script}, default
 * {@code deploy/image/fanout.sh}, prepares and starts that form), {@code --s8-requests N} (default
 * 1,000,000), {@code --s6-rate N} (S6's open-loop rate, requests per second; default half the
 * closed loop's), {@code --quick}: one measured run, request counts divided by 10, S8 at 20,000, S6 for
 * 3 s, no S1 at concurrency 1 and no plain {@code java -jar} start-up (the check before a
 * performance commit).
 * <p>
 * Each scenario's row also shows the Fanout process's GC time and allocation over its measured
 * runs, read through JMX ({@link JvmMeter}).
 */
public final class Bench {

	private static final String API_KEY = "bench-key-0123456789";

	private final Options options;

	private final Report report;

	private Process stub;

	/** How Fanout is started for the scenarios; set once the jar is prepared. */
	private Launch launch;

	private int stubPort;

	private Bench(Options options) {
		this.options = options;
		this.report = new Report(options.runs);
	}

	public static void main(String[] args) throws Exception {
		new Bench(Options.parse(args)).run();
	}

	private void run() throws Exception {
		Files.createDirectories(this.options.out);
		this.report.machine(machine());
		startStub();
		try (Baseline baseline = new Baseline()) {
			this.report.note("stub ceiling", stubCeiling(baseline));
			if (this.options.url != null) {
				runScenarios(new FanoutApi(this.options.url, this.options.apiKey), null, baseline, "external");
			}
			else {
				timed("preparing the deployed form", () -> this.launch = prepareLaunch());
				if (!this.options.postgresOnly) {
					phase("embedded H2", () -> {
						try (FanoutProcess fanout = startFanout("h2", List.of())) {
							runScenarios(new FanoutApi(fanout.baseUrl(), API_KEY), fanout, baseline, "h2");
						}
					});
				}
				if (!this.options.postgresOnly && this.options.wants("S8")) {
					phase("S8", () -> s8(baseline));
				}
				if ((this.options.postgres || this.options.postgresOnly) && this.options.wants("S4")) {
					phase("PostgreSQL", () -> {
						resetPostgresDatabase();
						try (FanoutProcess fanout = startFanout("postgres", List.of("--spring.profiles.active=postgres",
								"--spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:5432/fanout_bench",
								"--spring.r2dbc.username=postgres", "--spring.r2dbc.password=",
								"--spring.flyway.url=jdbc:postgresql://127.0.0.1:5432/fanout_bench",
								"--spring.flyway.user=postgres", "--spring.flyway.password="))) {
							s4(new FanoutApi(fanout.baseUrl(), API_KEY), fanout.meter(), baseline, "postgres");
						}
					});
				}
				if (this.options.wants("S7")) {
					phase("start-up", this::s7);
				}
			}
		}
		finally {
			this.stub.destroy();
			this.report.print(System.out);
			Path file = this.options.out.resolve("bench-" + Instant.now().toString().replace(':', '-') + ".json");
			Files.writeString(file, this.report.toJson());
			System.out.println("JSON written to " + file);
		}
	}

	/**
	 * Runs a phase; a failure is reported with the results instead of losing them. How long it took
	 * is reported too: the budget of {@code --quick} is spent by phases.
	 */
	private void phase(String name, Phase phase) {
		long start = System.nanoTime();
		try {
			phase.run();
		}
		catch (Exception ex) {
			this.report.note(name + " failed", String.valueOf(ex.getMessage()));
		}
		noteTook(name, start);
	}

	@FunctionalInterface
	private interface Phase {

		void run() throws Exception;

	}

	private void runScenarios(FanoutApi api, FanoutProcess fanout, Baseline baseline, String store) throws Exception {
		JvmMeter meter = (fanout != null) ? fanout.meter() : null;
		if (this.options.wants("S1")) {
			timed("S1", () -> {
				s1(api, meter, baseline, 3);
				if (!this.options.quick) {
					s1(api, meter, baseline, 1);
				}
			});
		}
		if (this.options.wants("S2")) {
			timed("S2", () -> fanOut(api, fanout, baseline, "S2", scaled(10_000) + " × 1 s, concurrency 1,000",
					scaled(10_000), 1000, 1000, 1.02, false));
		}
		if (this.options.wants("S3")) {
			timed("S3", () -> fanOut(api, fanout, baseline, "S3", scaled(10_000) + " × 2 s, concurrency " + scaled(10_000),
					scaled(10_000), scaled(10_000), 2000, 1.3, true));
		}
		if (this.options.wants("S4")) {
			timed("S4 " + store, () -> s4(api, meter, baseline, store));
		}
		if (this.options.wants("S5")) {
			timed("S5", () -> s5(api, meter));
		}
		if (this.options.wants("S6") && fanout != null) {
			Duration load = Duration.ofSeconds(this.options.quick ? 3 : 10);
			ApiLoad api6 = new ApiLoad(fanout.baseUrl(), API_KEY, this.stubUrl("/"), this.options.out, load,
					this.options.s6Rate);
			timed("S6", () -> api6.run(this.report));
			// Sized to outlast the load at S4's rates (6,000-16,000/s), within the harness's per-job cap.
			timed("S6 under S4", () -> api6.runDuringJob(this.report, (int) Math.min(100_000, 20_000 * load.toSeconds())));
		}
	}

	/** Runs a scenario and notes how long it took, baselines included. */
	private void timed(String name, Phase scenario) throws Exception {
		long start = System.nanoTime();
		scenario.run();
		noteTook(name, start);
	}

	private void noteTook(String name, long startNanos) {
		this.report.note(name + " took", String.format("%.0f s", (System.nanoTime() - startNanos) / 1e9));
	}

	/** S1: the classic three slow requests. */
	private void s1(FanoutApi api, JvmMeter meter, Baseline baseline, int concurrency) throws Exception {
		String url = stubUrl("/sleep/2000");
		double floor = 2.0 * (3 / concurrency);
		String body = api.jobBody(url, 3, concurrency, Duration.ofSeconds(30));
		Measured fanout = measureFanout(meter, () -> api.runJob(body, Duration.ofMinutes(2)));
		Measured bare = measureBaseline(baseline, () -> baseline.run(url, 3, concurrency));
		this.report.scenario("S1", "3 × 2 s, concurrency " + concurrency, floor, 1.05, fanout.stats, bare.stats, null);
		this.report.usage(fanout.usage);
	}

	private void fanOut(FanoutApi api, FanoutProcess fanout, Baseline baseline, String name, String label, int count,
			int concurrency, int sleepMillis, double target, boolean rss) throws Exception {
		// The floor: one sleep per wave of `concurrency` requests.
		double floor = sleepMillis / 1000.0 * Math.ceil(count / (double) concurrency);
		String url = stubUrl("/sleep/" + sleepMillis);
		String body = api.jobBody(url, count, concurrency, Duration.ofSeconds(60));
		Measured bare = measureBaseline(baseline, () -> baseline.run(url, count, concurrency));
		if (rss && fanout != null) {
			fanout.resetPeakRss();
		}
		Measured measured = measureFanout((fanout != null) ? fanout.meter() : null,
				() -> api.runJob(body, Duration.ofMinutes(5)));
		Double peakRss = (rss && fanout != null) ? fanout.peakRssMib() : null;
		this.report.scenario(name, label, floor, target, measured.stats, bare.stats, peakRss);
		this.report.usage(measured.usage);
	}

	/** S4: throughput of instant requests, as fetches per second, against the baseline's. */
	private void s4(FanoutApi api, JvmMeter meter, Baseline baseline, String store) throws Exception {
		String url = stubUrl("/");
		int count = scaled(100_000);
		for (int concurrency : new int[] { 100, 1000 }) {
			String body = api.jobBody(url, count, concurrency, Duration.ofSeconds(30));
			Measured bare = measureBaseline(baseline, () -> baseline.run(url, count, concurrency));
			Measured measured = measureFanout(meter, () -> api.runJob(body, Duration.ofMinutes(10)));
			this.report.throughput("S4", count + " × instant, concurrency " + concurrency + " (" + store + ")", count,
					measured.stats, bare.stats, 0.6);
			this.report.usage(measured.usage);
		}
	}

	/** S5: 200 jobs of 500 instant requests submitted at once. */
	private void s5(FanoutApi api, JvmMeter meter) throws Exception {
		int jobs = 200;
		int perJob = scaled(500);
		String body = api.jobBody(stubUrl("/"), perJob, 50, Duration.ofSeconds(30));
		List<Double> totals = new ArrayList<>();
		List<Double> spreads = new ArrayList<>();
		JvmMeter.Sample measuredFrom = null;
		for (int run = -1; run < this.options.runs; run++) {
			if (run == 0 && meter != null) {
				measuredFrom = meter.sample();
			}
			long start = System.nanoTime();
			List<CompletableFuture<String>> submitted = new ArrayList<>();
			for (int i = 0; i < jobs; i++) {
				submitted.add(api.submitAsync(body));
			}
			List<String> ids = submitted.stream().map(CompletableFuture::join).toList();
			long deadline = start + TimeUnit.MINUTES.toNanos(10);
			double shortest = Double.MAX_VALUE;
			double longest = 0;
			for (String id : ids) {
				JsonNode job = api.awaitFinished(id, deadline);
				FanoutApi.requireCompleted(job);
				double seconds = FanoutApi.between(job, "createdAt", "finishedAt").toMillis() / 1000.0;
				shortest = Math.min(shortest, seconds);
				longest = Math.max(longest, seconds);
			}
			double total = (System.nanoTime() - start) / 1e9;
			if (run >= 0) {
				totals.add(total);
				spreads.add(longest - shortest);
			}
		}
		this.report.jobs("S5", jobs + " jobs × " + perJob + " instant, concurrency 50 each", jobs * perJob,
				Stats.of(totals), Stats.of(spreads));
		if (measuredFrom != null) {
			this.report.usage(meter.sample().since(measuredFrom, this.options.runs));
		}
	}

	/**
	 * S8: one job of {@code --s8-requests} instant requests at concurrency 1,000 in the default
	 * {@code -Xmx256m}, streamed as NDJSON ({@code POST /api/v1/jobs/stream}) to a Fanout with its
	 * default limits (its per-job cap raised only past a million requests).
	 * Reports what happens: refused (the answer), failed (an {@code OutOfMemoryError} in the log or the
	 * process gone), or completed, with fetches/s against the bare client, the first results page and
	 * the whole NDJSON stream read back. No warm-up on Fanout's side: the job is its own.
	 */
	private void s8(Baseline baseline) throws Exception {
		int count = this.options.s8Requests;
		int concurrency = 1000;
		String url = stubUrl("/");
		String workload = String.format("one job of %,d × instant, concurrency 1,000, %s", count,
				String.join(" ", this.options.fanoutJvm));
		baseline.run(url, Math.max(1, count / 10), concurrency);
		List<Double> bareSeconds = new ArrayList<>();
		for (int i = 0; i < this.options.runs; i++) {
			bareSeconds.add(baseline.run(url, count, concurrency).toNanos() / 1e9);
		}
		baseline.closeConnections();
		Stats bare = Stats.of(bareSeconds);
		// The default limits (a million requests a job, 16 MB of request body in memory): the job is streamed.
		List<String> limits = List.of("--fanout.scheduler.max-requests-per-job=" + Math.max(count, 1_000_000),
				"--spring.http.codecs.max-in-memory-size=16MB");
		try (FanoutProcess fanout = startFanout("s8", limits)) {
			FanoutApi api = new FanoutApi(fanout.baseUrl(), API_KEY);
			String body = api.streamedJobBody(url, count, concurrency, Duration.ofSeconds(30));
			JvmMeter.Sample from = fanout.meter().sample();
			List<Double> seconds = new ArrayList<>();
			// The GC and allocation figures cover the jobs up to completion, not the reading back.
			JvmMeter.Sample completed = null;
			String outcome = null;
			for (int run = 0; run < this.options.runs && outcome == null; run++) {
				long start = System.nanoTime();
				String id;
				try {
					id = api.submitStreamAsync(body).join();
				}
				catch (RuntimeException ex) {
					outcome = failure(fanout, "refused", ex);
					break;
				}
				try {
					JsonNode job = api.awaitFinished(id, start + TimeUnit.MINUTES.toNanos(30));
					seconds.add((System.nanoTime() - start) / 1e9);
					completed = fanout.meter().sample();
					FanoutApi.requireCompleted(job);
					int page = api.firstResultPage(id, 1000);
					long streamStart = System.nanoTime();
					long streamed = api.streamResults(id);
					if (page != Math.min(1000, count) || streamed != count) {
						outcome = String.format("completed, but results page had %d, stream %,d", page, streamed);
					}
					else if (run == this.options.runs - 1) {
						outcome = String.format("completed; results page 1,000, stream %,d in %.1f s", streamed,
								(System.nanoTime() - streamStart) / 1e9);
					}
				}
				catch (Exception ex) {
					outcome = failure(fanout, "accepted, then failed", ex);
				}
			}
			if (outcome == null) {
				outcome = "not run (--runs 0)";
			}
			boolean clean = outcome.startsWith("completed;") && fanout.isAlive() && !fanout.loggedOutOfMemory();
			if (outcome.startsWith("completed;") && !clean) {
				outcome = "completed, but " + (fanout.isAlive() ? "OutOfMemoryError logged" : "the process died");
			}
			this.report.largeJob("S8", workload, outcome, count, clean ? Stats.of(seconds) : null, bare, 0.5);
			if (completed != null) {
				this.report.usage(completed.since(from, seconds.size()));
			}
		}
	}

	private static String failure(FanoutProcess fanout, String what, Exception ex) throws IOException {
		String message = String.valueOf((ex.getCause() != null) ? ex.getCause().getMessage() : ex.getMessage());
		if (message.length() > 300) {
			message = message.substring(0, 300) + "…";
		}
		String state = fanout.loggedOutOfMemory() ? "OutOfMemoryError in the log"
				: fanout.isAlive() ? "process alive" : "process gone";
		return what + " (" + state + "): " + message;
	}

	/**
	 * S7: process start to readiness, fresh data directory each time: as deployed (extracted jar and
	 * the AOT cache on JDK 25 and later, else the CDS archive; unless {@code --no-cds}) and, for
	 * reference, plain {@code java -jar}.
	 */
	private void s7() throws Exception {
		this.report.startup("S7", "start to readiness, " + (this.options.cds ? "deployed form (" + this.launch.form()
				+ ")" : "java -jar") + ", Java " + Runtime.version().feature() + " (embedded H2, fresh data dir)",
				startups(this.launch), 2.0);
		if (this.options.cds && !this.options.quick) {
			Launch plain = Launch.plain(this.options.jar, this.options.fanoutJvm);
			this.report.startup("S7", "start to readiness, java -jar (embedded H2, fresh data dir)", startups(plain),
					3.0);
		}
	}

	private Stats startups(Launch launch) throws Exception {
		List<Double> startups = new ArrayList<>();
		for (int run = -1; run < this.options.runs; run++) {
			// Not metered: S7 measures start-up as deployed, without a JMX agent to start.
			try (FanoutProcess fanout = FanoutProcess.start(launch, fanoutArguments("startup", List.of()),
					this.options.out.resolve("fanout-startup.log"), false)) {
				if (run >= 0) {
					startups.add(fanout.startup.toMillis() / 1000.0);
				}
			}
		}
		return Stats.of(startups);
	}

	private Measured measure(Run run) throws Exception {
		run.once();
		List<Double> seconds = new ArrayList<>();
		for (int i = 0; i < this.options.runs; i++) {
			seconds.add(run.once().toNanos() / 1e9);
		}
		return new Measured(Stats.of(seconds), null);
	}

	/**
	 * As {@link #measure}, for Fanout's side: with a meter, also its GC time and allocation over the
	 * measured runs (not the warm-up).
	 */
	private Measured measureFanout(JvmMeter meter, Run run) throws Exception {
		if (meter == null) {
			return measure(run);
		}
		run.once();
		JvmMeter.Sample from = meter.sample();
		List<Double> seconds = new ArrayList<>();
		for (int i = 0; i < this.options.runs; i++) {
			seconds.add(run.once().toNanos() / 1e9);
		}
		return new Measured(Stats.of(seconds), meter.sample().since(from, this.options.runs));
	}

	/** Measures the baseline, then closes its connections so that Fanout's turn starts with the stub to itself. */
	private Measured measureBaseline(Baseline baseline, Run run) throws Exception {
		try {
			return measure(run);
		}
		finally {
			baseline.closeConnections();
		}
	}

	private FanoutProcess startFanout(String name, List<String> extra) throws IOException, InterruptedException {
		return startFanout(this.launch, name, extra);
	}

	/** A Fanout for scenarios: metered through JMX. */
	private FanoutProcess startFanout(Launch launch, String name, List<String> extra)
			throws IOException, InterruptedException {
		return FanoutProcess.start(launch, fanoutArguments(name, extra), this.options.out.resolve("fanout-" + name + ".log"),
				true);
	}

	/**
	 * A fresh data directory each time, the stub's network allowed, limits raised for S4, and the
	 * bench tenant's requests in flight raised to the process's own bound: S3 runs one job at
	 * concurrency 10,000, which the default tenant quota (1,000) would hold to ten waves; and its queued
	 * jobs unbounded: S6 submits jobs as fast as it can, and the default quota (500) answered the rest
	 * 429, which S6 counted as errors.
	 */
	private static List<String> fanoutArguments(String name, List<String> extra) throws IOException {
		Path data = Files.createTempDirectory("fanout-bench-" + name);
		List<String> arguments = new ArrayList<>(List.of("--fanout.data-dir=" + data,
				"--fanout.security.api-keys.bench=" + API_KEY, "--fanout.fetch.allowed-networks=127.0.0.1/32",
				"--fanout.scheduler.max-requests-per-job=100000", "--fanout.scheduler.max-queued-jobs=1000000",
				"--fanout.scheduler.quotas.tenants.bench.requests-in-flight=10000",
				"--fanout.scheduler.quotas.tenants.bench.queued-jobs=1000000",
				"--spring.http.codecs.max-in-memory-size=64MB",
				"--logging.level.root=WARN"));
		// A repeated --name=value would reach Spring as "a,b": an extra one replaces the default.
		for (String argument : extra) {
			String key = argument.substring(0, argument.indexOf('=') + 1);
			arguments.removeIf(existing -> existing.startsWith(key));
			arguments.add(argument);
		}
		return arguments;
	}

	/** The deployment form (extracted jar and CDS archive, docs/deployment.md), or plain {@code java -jar}. */
	private Launch prepareLaunch() throws IOException, InterruptedException {
		Launch plain = Launch.plain(this.options.jar, this.options.fanoutJvm);
		if (!this.options.cds) {
			return plain;
		}
		return Launch.deployed(this.options.imageScript, this.options.jar, this.options.fanoutJvm, this.options.out);
	}

	private void startStub() throws IOException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
				"-cp", System.getProperty("java.class.path"), StubServer.class.getName(), "0");
		this.stub = new ProcessBuilder(command).redirectErrorStream(true).start();
		BufferedReader output = new BufferedReader(new InputStreamReader(this.stub.getInputStream()));
		String line;
		while ((line = output.readLine()) != null) {
			if (line.startsWith("READY ")) {
				this.stubPort = Integer.parseInt(line.substring(6).strip());
				break;
			}
		}
		if (this.stubPort == 0) {
			throw new IllegalStateException("the upstream stub did not start");
		}
		Thread drain = new Thread(() -> output.lines().forEach(l -> { }), "stub-output");
		drain.setDaemon(true);
		drain.start();
	}

	/** The stub's own ceiling: instant requests per second through the baseline client. */
	private String stubCeiling(Baseline baseline) {
		int count = scaled(100_000);
		baseline.run(stubUrl("/"), count / 10, 1000);
		Duration took = baseline.run(stubUrl("/"), count, 1000);
		Duration sleepy = baseline.run(stubUrl("/sleep/2000"), scaled(10_000), scaled(10_000));
		baseline.closeConnections();
		return String.format("%.0f instant req/s at concurrency 1,000; %d × 2 s at once in %.2f s",
				count / (took.toNanos() / 1e9), scaled(10_000), sleepy.toNanos() / 1e9);
	}

	private String stubUrl(String path) {
		return "http://127.0.0.1:" + this.stubPort + path;
	}

	private int scaled(int count) {
		return Math.max(1, (int) (count / this.options.scale));
	}

	private void resetPostgresDatabase() throws IOException, InterruptedException {
		for (String sql : List.of("DROP DATABASE IF EXISTS fanout_bench", "CREATE DATABASE fanout_bench")) {
			Process psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql)
				.redirectErrorStream(true)
				.start();
			String out = new String(psql.getInputStream().readAllBytes());
			if (psql.waitFor() != 0) {
				throw new IllegalStateException("psql failed: " + out);
			}
		}
	}

	private static Map<String, String> machine() {
		Map<String, String> machine = new LinkedHashMap<>();
		machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
		machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		try {
			String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
			machine.put("memory", mem);
		}
		catch (IOException ex) {
			machine.put("memory", "unknown");
		}
		return machine;
	}

	@FunctionalInterface
	private interface Run {

		Duration once() throws Exception;

	}

	private record Measured(Stats stats, JvmMeter.Usage usage) {
	}

	/** Command-line options. */
	record Options(Path jar, String url, String apiKey, boolean postgres, boolean postgresOnly, int runs,
			List<String> scenarios, double scale, Path out, List<String> fanoutJvm, boolean cds, boolean quick,
			int s8Requests, Path imageScript, double s6Rate) {

		static Options parse(String[] args) {
			Path jar = null;
			String url = null;
			String apiKey = null;
			boolean postgres = false;
			boolean postgresOnly = false;
			int runs = 3;
			List<String> scenarios = List.of();
			double scale = 1;
			Path out = Path.of("bench-results");
			List<String> jvm = List.of("-Xmx256m", "-XX:+UseSerialGC");
			boolean cds = true;
			boolean quick = false;
			Integer s8Requests = null;
			Path imageScript = Path.of("deploy/image/fanout.sh");
			double s6Rate = 0;
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--jar" -> jar = Path.of(args[++i]);
					case "--url" -> url = args[++i];
					case "--api-key" -> apiKey = args[++i];
					case "--postgres" -> postgres = true;
					case "--postgres-only" -> postgresOnly = true;
					case "--runs" -> runs = Integer.parseInt(args[++i]);
					case "--scenarios" -> scenarios = Arrays.asList(args[++i].split(","));
					case "--scale" -> scale = Double.parseDouble(args[++i]);
					case "--out" -> out = Path.of(args[++i]);
					case "--fanout-jvm" -> jvm = Arrays.asList(args[++i].trim().split("\\s+"));
					case "--no-cds" -> cds = false;
					case "--quick" -> quick = true;
					case "--s8-requests" -> s8Requests = Integer.parseInt(args[++i]);
					case "--image-script" -> imageScript = Path.of(args[++i]);
					case "--s6-rate" -> s6Rate = Double.parseDouble(args[++i]);
					default -> throw new IllegalArgumentException("unknown option " + args[i]);
				}
			}
			if (jar == null && url == null) {
				throw new IllegalArgumentException("--jar or --url is required");
			}
			if (quick) {
				// Before every performance commit: one measured run, a tenth of the requests, S8 at 20,000.
				runs = Math.min(runs, 1);
				scale = Math.max(scale, 10);
			}
			int s8 = (s8Requests != null) ? s8Requests : quick ? 20_000 : 1_000_000;
			return new Options(jar, url, apiKey, postgres, postgresOnly, runs, scenarios, scale, out, jvm, cds, quick, s8,
					imageScript, s6Rate);
		}

		boolean wants(String scenario) {
			return this.scenarios.isEmpty() || this.scenarios.contains(scenario);
		}

	}

}
