package io.fanout.scheduler.r2dbc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.FlowControl;
import io.fanout.fetch.Rate;
import io.fanout.fetch.RetryPolicy;
import io.fanout.fetch.RetryPolicy.RetryOn;
import io.fanout.scheduler.Callback;
import io.fanout.scheduler.JobSpec;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON forms of what the stores keep: job specs (compressed), labels and extracted values. A spec is
 * mapped to a versioned shape of its own ({@link StoredSpec}), so that the stored format does not
 * follow every change of the public records; schedules keep their templates in the same shape.
 */
public final class SpecCodec {

	private static final TypeReference<Map<String, @Nullable Object>> OBJECT_MAP = new TypeReference<>() {
	};

	private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
	};

	private static final int GZIP_BUFFER = 8192;

	private final JsonMapper json = JsonMapper.builder().build();

	// Sorted map keys make equal submissions hash equally whatever the order of their maps.
	private final JsonMapper canonical = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	/**
	 * Goes once through every form, so that Jackson builds its serializers and deserializers here.
	 * It builds them on first use under a lock, and the first use would otherwise be on a database
	 * driver's or the server's event loop, which must not wait for another thread.
	 */
	public SpecCodec() {
		JobSpec spec = warmUpSpec();
		readSpec(writeSpec(spec), null, Map.of(), 0);
		readSpec(this.json.writeValueAsString(StoredSpec.of(spec)), null, Map.of(), 0);
		fingerprint(spec, UUID.randomUUID());
		readLabels(writeLabels(Map.of("key", "value")));
		Map<String, @Nullable Object> extracted = new LinkedHashMap<>();
		extracted.put("text", "t");
		extracted.put("integer", 1);
		extracted.put("decimal", 1.5);
		extracted.put("flag", true);
		extracted.put("missing", null);
		extracted.put("list", List.of(1, "two"));
		extracted.put("object", Map.of("nested", 1));
		readExtracted(writeExtracted(extracted));
	}

	/** A spec with every part set, for codecs to go through their forms once when created. */
	public static JobSpec warmUpSpec() {
		FetchRequest request = new FetchRequest(URI.create("http://localhost/"), "POST", Map.of("Accept", "*/*"),
				"{}", Map.of("value", "$.value"));
		return JobSpec.of(List.of(request), FetchPolicy.DEFAULT)
			.withDeadline(Duration.ofSeconds(1))
			.withCallback(new Callback(URI.create("http://localhost/callback"), null, Callback.MIN_PROGRESS_EVERY,
					Map.of("Authorization", "warm-up")))
			.withName("warm-up")
			.withLabels(Map.of("key", "value"));
	}

	/**
	 * The spec's JSON, gzip-compressed. A spec of many requests is megabytes of JSON, mostly the
	 * same URL prefixes and keys over and over; compressed, it is a few percent of that, and
	 * neither Fanout nor the database ever holds it as one large string.
	 */
	public byte[] writeSpec(JobSpec spec) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (OutputStream gzip = new GZIPOutputStream(bytes, GZIP_BUFFER)) {
			this.json.writeValue(gzip, StoredSpec.of(spec));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not compress a job spec", ex);
		}
		return bytes.toByteArray();
	}

	/** Rebuilds the spec from its stored, compressed JSON and the columns that hold the rest. */
	public JobSpec readSpec(byte[] compressed, @Nullable String name, Map<String, String> labels, int priority) {
		try (InputStream json = new GZIPInputStream(new ByteArrayInputStream(compressed), GZIP_BUFFER)) {
			return this.json.readValue(json, StoredSpec.class).toSpec(name, labels, priority);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not decompress a stored job spec", ex);
		}
	}

	/** Rebuilds the spec from JSON stored as text, as it was before specs were compressed. */
	public JobSpec readSpec(String json, @Nullable String name, Map<String, String> labels, int priority) {
		return this.json.readValue(json, StoredSpec.class).toSpec(name, labels, priority);
	}

	/** SHA-256 of everything that makes a submission what it is, to compare idempotent retries. */
	public String fingerprint(JobSpec spec, @Nullable UUID scheduleId) {
		return fingerprint(spec, scheduleId, null, null);
	}

	/**
	 * SHA-256 of everything that makes a submission what it is, its start time and the job it reruns
	 * included. Without either, the same as {@link #fingerprint(JobSpec, UUID)}: the hashes stored
	 * before they existed still match.
	 */
	public String fingerprint(JobSpec spec, @Nullable UUID scheduleId, @Nullable Instant notBefore,
			@Nullable UUID rerunOf) {
		Map<String, @Nullable Object> submission = new TreeMap<>();
		if (notBefore != null) {
			submission.put("notBefore", notBefore.toString());
		}
		if (rerunOf != null) {
			submission.put("rerunOf", rerunOf.toString());
		}
		submission.put("name", spec.name());
		submission.put("labels", new TreeMap<>(spec.labels()));
		submission.put("priority", spec.priority());
		submission.put("scheduleId", (scheduleId != null) ? scheduleId.toString() : null);
		submission.put("spec", StoredSpec.of(spec));
		byte[] bytes = this.canonical.writeValueAsBytes(submission);
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	public String writeLabels(Map<String, String> labels) {
		return this.json.writeValueAsString(labels);
	}

	public Map<String, String> readLabels(String value) {
		return this.json.readValue(value, STRING_MAP);
	}

	public @Nullable String writeExtracted(Map<String, @Nullable Object> extracted) {
		return extracted.isEmpty() ? null : this.json.writeValueAsString(extracted);
	}

	public Map<String, @Nullable Object> readExtracted(@Nullable String value) {
		return (value == null) ? Map.of() : this.json.readValue(value, OBJECT_MAP);
	}

	/**
	 * Version 1 of the stored spec. Durations in milliseconds. The callback came later: left out when
	 * there is none, so that specs stored before read, and fingerprint, as they did.
	 */
	public record StoredSpec(int version, List<StoredRequest> requests, StoredPolicy policy, @Nullable Long deadlineMillis,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable StoredCallback callback) {

		public static StoredSpec of(JobSpec spec) {
			List<StoredRequest> requests = new ArrayList<>(spec.requests().size());
			for (FetchRequest request : spec.requests()) {
				requests.add(new StoredRequest(request.url().toString(), request.method(), request.headers(),
						request.body(), request.extract()));
			}
			Duration deadline = spec.deadline();
			return new StoredSpec(1, requests, StoredPolicy.of(spec.policy()),
					(deadline != null) ? deadline.toMillis() : null, StoredCallback.of(spec.callback()));
		}

		public JobSpec toSpec(@Nullable String name, Map<String, String> labels, int priority) {
			List<FetchRequest> fetchRequests = new ArrayList<>(this.requests.size());
			for (StoredRequest request : this.requests) {
				fetchRequests.add(new FetchRequest(URI.create(request.url()), request.method(),
						orEmpty(request.headers()), request.body(), orEmpty(request.extract())));
			}
			return new JobSpec(name, labels, priority, fetchRequests, this.policy.toPolicy(),
					(this.deadlineMillis != null) ? Duration.ofMillis(this.deadlineMillis) : null,
					(this.callback != null) ? this.callback.toCallback() : null);
		}

		private static Map<String, String> orEmpty(@Nullable Map<String, String> map) {
			return (map != null) ? map : Map.of();
		}

	}

	public record StoredRequest(String url, String method, Map<String, String> headers, @Nullable String body,
			Map<String, String> extract) {

		public StoredRequest {
			headers = new LinkedHashMap<>(headers);
			extract = new LinkedHashMap<>(extract);
		}

		@Override
		public String toString() {
			// Headers and bodies can hold credentials for the upstream.
			return "StoredRequest[" + this.method + " " + this.url + ", " + this.headers.size() + " header(s)]";
		}

	}

	/**
	 * A policy as stored. Fields added after the first version are nullable and left out while they
	 * hold their default: specs stored earlier read as they did, and fingerprint as they did.
	 */
	public record StoredPolicy(int concurrency, long timeoutMillis, int maxAttempts, long initialBackoffMillis,
			long maxBackoffMillis, List<String> retryOn, boolean failFast, long maxBodySize, boolean followRedirects,
			int maxRedirects, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean allowRedirectToHttp,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable StoredRate rateLimit,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable StoredFlow flowControl) {

		static StoredPolicy of(FetchPolicy policy) {
			RetryPolicy retry = policy.retry();
			return new StoredPolicy(policy.concurrency(), policy.timeout().toMillis(), retry.maxAttempts(),
					retry.initialBackoff().toMillis(), retry.maxBackoff().toMillis(),
					retry.retryOn().stream().map(Enum::name).sorted().toList(), policy.failFast(),
					policy.maxBodySize(), policy.followRedirects(), policy.maxRedirects(),
					policy.allowRedirectToHttp() ? Boolean.TRUE : null, StoredRate.of(policy.rateLimit()),
					StoredFlow.of(policy.flowControl()));
		}

		FetchPolicy toPolicy() {
			Set<RetryOn> on = EnumSet.noneOf(RetryOn.class);
			this.retryOn.forEach((name) -> on.add(RetryOn.valueOf(name)));
			RetryPolicy retry = new RetryPolicy(this.maxAttempts, Duration.ofMillis(this.initialBackoffMillis),
					Duration.ofMillis(this.maxBackoffMillis), on);
			return new FetchPolicy(this.concurrency, Duration.ofMillis(this.timeoutMillis), retry, this.failFast,
					this.maxBodySize, this.followRedirects, this.maxRedirects, Boolean.TRUE.equals(this.allowRedirectToHttp),
					(this.rateLimit != null) ? this.rateLimit.toRate() : null,
					(this.flowControl != null) ? this.flowControl.toFlow() : null);
		}

	}

	/** A callback as stored; its headers are kept like a request's. */
	public record StoredCallback(String url, List<String> events, @Nullable Integer progressEvery,
			Map<String, String> headers) {

		public StoredCallback {
			headers = (headers != null) ? new LinkedHashMap<>(headers) : new LinkedHashMap<>();
		}

		static @Nullable StoredCallback of(@Nullable Callback callback) {
			return (callback != null) ? new StoredCallback(callback.url().toString(),
					callback.events().stream().map(Enum::name).sorted().toList(), callback.progressEvery(),
					callback.headers()) : null;
		}

		Callback toCallback() {
			Set<Callback.Event> events = EnumSet.noneOf(Callback.Event.class);
			this.events.forEach((name) -> events.add(Callback.Event.valueOf(name)));
			return new Callback(URI.create(this.url), events, this.progressEvery, this.headers);
		}

		@Override
		public String toString() {
			// Headers can hold credentials for the receiver.
			return "StoredCallback[" + this.url + ", " + this.headers.size() + " header(s)]";
		}

	}

	/** A rate as stored. */
	public record StoredRate(int permits, long periodMillis) {

		static @Nullable StoredRate of(@Nullable Rate rate) {
			return (rate != null) ? new StoredRate(rate.permits(), rate.period().toMillis()) : null;
		}

		Rate toRate() {
			return new Rate(this.permits, Duration.ofMillis(this.periodMillis));
		}

	}

	/** Flow control as stored. */
	public record StoredFlow(String key, @Nullable StoredRate rate, @Nullable Integer parallelism) {

		static @Nullable StoredFlow of(@Nullable FlowControl flow) {
			return (flow != null) ? new StoredFlow(flow.key(), StoredRate.of(flow.rate()), flow.parallelism()) : null;
		}

		FlowControl toFlow() {
			return new FlowControl(this.key, (this.rate != null) ? this.rate.toRate() : null, this.parallelism);
		}

	}

}
