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
 * {@code java -jar} instead of its deployment form.
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
				this.launch = prepareLaunch();
				if (!this.options.postgresOnly) {
					phase("embedded H2", () -> {
						try (FanoutProcess fanout = startFanout("h2", List.of())) {
							runScenarios(new FanoutApi(fanout.baseUrl(), API_KEY), fanout, baseline, "h2");
						}
					});
				}
				if ((this.options.postgres || this.options.postgresOnly) && this.options.wants("S4")) {
					phase("PostgreSQL", () -> {
						resetPostgresDatabase();
						try (FanoutProcess fanout = startFanout("postgres", List.of("--spring.profiles.active=postgres",
								"--spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:5432/fanout_bench",
								"--spring.r2dbc.username=postgres", "--spring.r2dbc.password=",
								"--spring.flyway.url=jdbc:postgresql://127.0.0.1:5432/fanout_bench",
								"--spring.flyway.user=postgres", "--spring.flyway.password="))) {
							s4(new FanoutApi(fanout.baseUrl(), API_KEY), baseline, "postgres");
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

	/** Runs a phase; a failure is reported with the results instead of losing them. */
	private void phase(String name, Phase phase) {
		try {
			phase.run();
		}
		catch (Exception ex) {
			this.report.note(name + " failed", String.valueOf(ex.getMessage()));
		}
	}

	@FunctionalInterface
	private interface Phase {

		void run() throws Exception;

	}

	private void runScenarios(FanoutApi api, FanoutProcess fanout, Baseline baseline, String store) throws Exception {
		if (this.options.wants("S1")) {
			s1(api, baseline, 3);
			s1(api, baseline, 1);
		}
		if (this.options.wants("S2")) {
			fanOut(api, fanout, baseline, "S2", scaled(10_000) + " × 1 s, concurrency 1,000", scaled(10_000), 1000, 1000,
					1.03, false);
		}
		if (this.options.wants("S3")) {
			fanOut(api, fanout, baseline, "S3", scaled(10_000) + " × 2 s, concurrency " + scaled(10_000), scaled(10_000),
					scaled(10_000), 2000, 1.5, true);
		}
		if (this.options.wants("S4")) {
			s4(api, baseline, store);
		}
		if (this.options.wants("S5")) {
			s5(api);
		}
		if (this.options.wants("S6") && fanout != null) {
			new ApiLoad(fanout.baseUrl(), API_KEY, this.stubUrl("/"), this.options.out).run(this.report);
		}
	}

	/** S1: the classic three slow requests. */
	private void s1(FanoutApi api, Baseline baseline, int concurrency) throws Exception {
		String url = stubUrl("/sleep/2000");
		double floor = 2.0 * (3 / concurrency);
		String body = api.jobBody(url, 3, concurrency, Duration.ofSeconds(30));
		Measured fanout = measure(() -> api.runJob(body, Duration.ofMinutes(2)));
		Measured bare = measureBaseline(baseline, () -> baseline.run(url, 3, concurrency));
		this.report.scenario("S1", "3 × 2 s, concurrency " + concurrency, floor, 1.05, fanout.stats, bare.stats, null);
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
		Measured measured = measure(() -> api.runJob(body, Duration.ofMinutes(5)));
		Double peakRss = (rss && fanout != null) ? fanout.peakRssMib() : null;
		this.report.scenario(name, label, floor, target, measured.stats, bare.stats, peakRss);
	}

	/** S4: throughput of instant requests, as fetches per second, against the baseline's. */
	private void s4(FanoutApi api, Baseline baseline, String store) throws Exception {
		String url = stubUrl("/");
		int count = scaled(100_000);
		for (int concurrency : new int[] { 100, 1000 }) {
			String body = api.jobBody(url, count, concurrency, Duration.ofSeconds(30));
			Measured bare = measureBaseline(baseline, () -> baseline.run(url, count, concurrency));
			Measured measured = measure(() -> api.runJob(body, Duration.ofMinutes(10)));
			this.report.throughput("S4", count + " × instant, concurrency " + concurrency + " (" + store + ")", count,
					measured.stats, bare.stats, 0.5);
		}
	}

	/** S5: 200 jobs of 500 instant requests submitted at once. */
	private void s5(FanoutApi api) throws Exception {
		int jobs = 200;
		int perJob = scaled(500);
		String body = api.jobBody(stubUrl("/"), perJob, 50, Duration.ofSeconds(30));
		List<Double> totals = new ArrayList<>();
		List<Double> spreads = new ArrayList<>();
		for (int run = -1; run < this.options.runs; run++) {
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
	}

	/**
	 * S7: process start to readiness, fresh data directory each time: as deployed (extracted jar and
	 * CDS archive, unless {@code --no-cds}) and, for reference, plain {@code java -jar}.
	 */
	private void s7() throws Exception {
		this.report.startup("S7", "start to readiness, " + (this.options.cds ? "extracted jar + CDS" : "java -jar")
				+ " (embedded H2, fresh data dir)", startups(this.launch), 3.0);
		if (this.options.cds) {
			Launch plain = Launch.plain(this.options.jar, this.options.fanoutJvm);
			this.report.startup("S7", "start to readiness, java -jar (embedded H2, fresh data dir)", startups(plain),
					3.0);
		}
	}

	private Stats startups(Launch launch) throws Exception {
		List<Double> startups = new ArrayList<>();
		for (int run = -1; run < this.options.runs; run++) {
			try (FanoutProcess fanout = startFanout(launch, "startup", List.of())) {
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
		return new Measured(Stats.of(seconds));
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

	private FanoutProcess startFanout(Launch launch, String name, List<String> extra)
			throws IOException, InterruptedException {
		return FanoutProcess.start(launch.jar(), launch.jvmOptions(), fanoutArguments(name, extra),
				this.options.out.resolve("fanout-" + name + ".log"));
	}

	/**
	 * A fresh data directory each time, the stub's network allowed, limits raised for S4, and the
	 * bench tenant's requests in flight raised to the process's own bound: S3 runs one job at
	 * concurrency 10,000, which the default tenant quota (1,000) would hold to ten waves.
	 */
	private static List<String> fanoutArguments(String name, List<String> extra) throws IOException {
		Path data = Files.createTempDirectory("fanout-bench-" + name);
		List<String> arguments = new ArrayList<>(List.of("--fanout.data-dir=" + data,
				"--fanout.security.api-keys.bench=" + API_KEY, "--fanout.fetch.allowed-networks=127.0.0.1/32",
				"--fanout.scheduler.max-requests-per-job=100000", "--fanout.scheduler.max-queued-jobs=1000000",
				"--fanout.scheduler.quotas.tenants.bench.requests-in-flight=10000",
				"--spring.http.codecs.max-in-memory-size=64MB",
				"--logging.level.root=WARN"));
		arguments.addAll(extra);
		return arguments;
	}

	/** The deployment form (extracted jar and CDS archive, docs/deployment.md), or plain {@code java -jar}. */
	private Launch prepareLaunch() throws IOException, InterruptedException {
		Launch plain = Launch.plain(this.options.jar, this.options.fanoutJvm);
		if (!this.options.cds) {
			return plain;
		}
		return Launch.cds(this.options.jar, this.options.fanoutJvm, this.options.out, API_KEY,
				fanoutArguments("cds-training", List.of()));
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

	private record Measured(Stats stats) {
	}

	/** Command-line options. */
	record Options(Path jar, String url, String apiKey, boolean postgres, boolean postgresOnly, int runs,
			List<String> scenarios, double scale, Path out, List<String> fanoutJvm, boolean cds) {

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
					default -> throw new IllegalArgumentException("unknown option " + args[i]);
				}
			}
			if (jar == null && url == null) {
				throw new IllegalArgumentException("--jar or --url is required");
			}
			return new Options(jar, url, apiKey, postgres, postgresOnly, runs, scenarios, scale, out, jvm, cds);
		}

		boolean wants(String scenario) {
			return this.scenarios.isEmpty() || this.scenarios.contains(scenario);
		}

	}

}
