package io.fanout.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.fanout.fetch.http.ReactorFetchClient;
import io.fanout.fetch.ssrf.AddressRule;
import io.fanout.test.TestUpstream;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenants choose the hosts, so what is kept per host is bounded whatever they send: a request to a
 * refused IP literal leaves nothing behind, and hosts that are really tried are kept up to the
 * configured bound (idle ones dropped first), with at most the configured number of {@code host}
 * tag values on metrics, the rest {@code other}.
 */
class HostStateBoundsTests {

	private static final int MAX_HOSTS = 100;

	private static final int MAX_HOST_TAGS = 10;

	private static final FetchPolicy NO_RETRY = FetchPolicy.DEFAULT.withRetry(RetryPolicy.NONE)
		.withTimeout(Duration.ofSeconds(10));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final TestUpstream upstream = new TestUpstream();

	private ReactorFetchClient client;

	@AfterEach
	void close() {
		if (this.client != null) {
			this.client.close();
		}
		this.upstream.close();
	}

	private ReactorFetchClient client(String allowedNetwork) {
		this.client = ReactorFetchClient.builder()
			.addressRule(AddressRule.allowing(List.of(allowedNetwork)))
			.hostLookup(HostStateBoundsTests::lookup)
			.hostState(MAX_HOSTS, Duration.ofMinutes(10))
			.hostTags(Set.of(), MAX_HOST_TAGS)
			.meterRegistry(this.meters)
			.build();
		return this.client;
	}

	/** Names under {@code fanout.test} are the upstream on 127.0.0.1; no other name is looked up. */
	private static InetAddress[] lookup(String host) throws UnknownHostException {
		if (!host.endsWith(".fanout.test")) {
			throw new UnknownHostException(host);
		}
		return new InetAddress[] { InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
	}

	private Set<String> hostTagValues() {
		return this.meters.getMeters()
			.stream()
			.map((meter) -> meter.getId().getTag("host"))
			.filter((tag) -> tag != null)
			.collect(Collectors.toSet());
	}

	private long metersWithAHostTag() {
		return this.meters.getMeters().stream().filter((meter) -> meter.getId().getTag("host") != null).count();
	}

	@Test
	void aHundredThousandDistinctRefusedLiteralsLeaveNoHostStateAndNoHostTags() {
		ReactorFetchClient client = client("127.0.0.1/32");
		int meterCountBefore = this.meters.getMeters().size();
		// 10.x.y.z literals: refused by the SSRF rules before anything is resolved or connected.
		List<FetchRequest> requests = IntStream.range(0, 100_000)
			.mapToObj((i) -> FetchRequest.get("http://10." + (i >> 16) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF) + "/"))
			.toList();
		assertThat(requests.stream().map((request) -> request.url().getHost()).distinct().count()).isEqualTo(100_000);

		long start = System.nanoTime();
		List<FetchOutcome> outcomes = client.fetchAll(requests, NO_RETRY.withConcurrency(1000))
			.collectList()
			.block(Duration.ofSeconds(60));
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(outcomes).hasSize(100_000).allSatisfy((outcome) -> {
			assertThat(outcome.kind()).isEqualTo(OutcomeKind.BLOCKED);
			assertThat(outcome.attempts()).isZero();
			assertThat(outcome.error().message()).isEqualTo("destination not allowed");
		});
		assertThat(client.breakersKept()).isZero();
		assertThat(client.admission().hostsKept()).isZero();
		assertThat(hostTagValues()).isEmpty();
		assertThat(this.meters.getMeters()).hasSize(meterCountBefore);
		assertThat(this.meters.counter("fanout.fetch.blocked").count()).isEqualTo(100_000);
		assertThat(scrape()).hasSizeLessThan(10_000);
		assertThat(took).isLessThan(Duration.ofSeconds(30));
	}

	@Test
	void fiveHundredDistinctHostsThatAreFetchedKeepStateAndTagsWithinTheirBounds() {
		ReactorFetchClient client = client("127.0.0.1/32");
		int hosts = 500;
		int concurrency = 50;
		// Made-up names the test lookup resolves to the upstream, without DNS: each is a host of its own.
		List<FetchRequest> requests = IntStream.range(0, hosts)
			.mapToObj((i) -> FetchRequest.get("http://h" + i + ".fanout.test:" + this.upstream.port() + "/ok"))
			.toList();

		List<FetchOutcome> outcomes = client.fetchAll(requests, NO_RETRY.withConcurrency(concurrency))
			.collectList()
			.block(Duration.ofSeconds(60));

		assertThat(outcomes).hasSize(hosts)
			.allSatisfy((outcome) -> assertThat(outcome.kind()).as(outcome.toString()).isEqualTo(OutcomeKind.SUCCEEDED));
		assertThat(this.upstream.hits("/ok")).isEqualTo(hosts);
		// Entries in use are never dropped, so at most the requests in flight come on top of the bound.
		assertThat(client.breakersKept()).isBetween(1, MAX_HOSTS + concurrency);
		assertThat(client.admission().hostsKept()).isBetween(1, MAX_HOSTS + concurrency);
		assertThat(hostTagValues()).hasSize(MAX_HOST_TAGS + 1).contains("other");
		// One timer per tag and outcome seen: bounded by the tags, not by the hosts.
		assertThat(metersWithAHostTag()).isEqualTo(MAX_HOST_TAGS + 1);
		assertThat(this.meters.timer("fanout.fetch.requests", "host", "other", "outcome", "SUCCEEDED").count())
			.isEqualTo(hosts - MAX_HOST_TAGS);
		assertThat(scrape()).hasSizeLessThan(20_000);
	}

	/**
	 * What a scrape would carry: a line per measurement of every meter, with its tags. (The Prometheus
	 * registry is not on this module's class path; its text format has one series per such line.)
	 */
	private String scrape() {
		StringBuilder text = new StringBuilder();
		for (Meter meter : this.meters.getMeters()) {
			String tags = meter.getId()
				.getTags()
				.stream()
				.map((tag) -> tag.getKey() + "=\"" + tag.getValue() + "\"")
				.collect(Collectors.joining(",", "{", "}"));
			meter.measure()
				.forEach((measurement) -> text.append(meter.getId().getName())
					.append('_')
					.append(measurement.getStatistic().getTagValueRepresentation())
					.append(tags)
					.append(' ')
					.append(measurement.getValue())
					.append('\n'));
		}
		return text.toString();
	}

}
