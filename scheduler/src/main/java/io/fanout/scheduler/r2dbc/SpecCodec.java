package io.fanout.scheduler.r2dbc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
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
import io.fanout.scheduler.CompactRequests;
import io.fanout.scheduler.CompactRequests.StoredRequest;
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
		CompactRequests requests = CompactRequests.of(spec.requests());
		readSpec(writeSpec(spec, requests)).toSpec(null, Map.of(), 0, requests.chunks());
		readSpec(this.json.writeValueAsString(StoredSpec.of(spec))).toSpec(null, Map.of(), 0);
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
	 * The spec's JSON without its requests, gzip-compressed: the requests are stored apart, in the
	 * chunks of {@code requests}.
	 */
	public byte[] writeSpec(JobSpec spec, CompactRequests requests) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (OutputStream gzip = new GZIPOutputStream(bytes, GZIP_BUFFER)) {
			this.json.writeValue(gzip, StoredSpec.withoutRequests(spec, requests));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not compress a job spec", ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * The stored spec from its compressed JSON; with its requests if it was stored before they were
	 * chunked ({@link StoredSpec#chunked()}).
	 */
	public StoredSpec readSpec(byte[] compressed) {
		try (InputStream json = new GZIPInputStream(new ByteArrayInputStream(compressed), GZIP_BUFFER)) {
			return this.json.readValue(json, StoredSpec.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not decompress a stored job spec", ex);
		}
	}

	/** The stored spec from JSON stored as text, as it was before specs were compressed. */
	public StoredSpec readSpec(String json) {
		return this.json.readValue(json, StoredSpec.class);
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
		// Written into the digest as it is made: a spec of a million requests is never one array of bytes.
		MessageDigest digest = sha256();
		try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
			this.canonical.writeValue(out, submission);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not fingerprint a job spec", ex);
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
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
	 * there is none, so that specs stored before read, and fingerprint, as they did. A job's spec is
	 * stored without its requests, which are stored in chunks ({@link CompactRequests}): then
	 * {@code requests} is empty and {@code requestCount} and {@code chunkSize} say how many there are and
	 * how they are chunked. Specs stored before that, and schedule templates, hold their requests here.
	 */
	public record StoredSpec(int version, List<StoredRequest> requests, StoredPolicy policy, @Nullable Long deadlineMillis,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable StoredCallback callback,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer requestCount,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer chunkSize) {

		/** The spec with its requests in it. They are converted as they are written, not all at once. */
		public static StoredSpec of(JobSpec spec) {
			return of(spec, new RequestsView(spec.requests()), null, null);
		}

		/** The spec without its requests, to store with its requests in chunks. */
		public static StoredSpec withoutRequests(JobSpec spec, CompactRequests requests) {
			return of(spec, List.of(), requests.size(), requests.chunkSize());
		}

		private static StoredSpec of(JobSpec spec, List<StoredRequest> requests, @Nullable Integer requestCount,
				@Nullable Integer chunkSize) {
			Duration deadline = spec.deadline();
			return new StoredSpec(1, requests, StoredPolicy.of(spec.policy()),
					(deadline != null) ? deadline.toMillis() : null, StoredCallback.of(spec.callback()), requestCount,
					chunkSize);
		}

		/** Whether the requests are stored in chunks, apart from this. */
		public boolean chunked() {
			return this.requestCount != null;
		}

		/** The spec, of the requests stored in it. */
		public JobSpec toSpec(@Nullable String name, Map<String, String> labels, int priority) {
			List<FetchRequest> fetchRequests = new ArrayList<>(this.requests.size());
			for (StoredRequest request : this.requests) {
				fetchRequests.add(request.toRequest());
			}
			return withRequests(name, labels, priority, fetchRequests);
		}

		/** The spec, of its requests read from their chunks. */
		public JobSpec toSpec(@Nullable String name, Map<String, String> labels, int priority, List<byte[]> chunks) {
			if (this.requestCount == null || this.chunkSize == null) {
				throw new IllegalStateException("this spec holds its requests");
			}
			return withRequests(name, labels, priority,
					CompactRequests.ofChunks(chunks, this.requestCount, this.chunkSize));
		}

		private JobSpec withRequests(@Nullable String name, Map<String, String> labels, int priority,
				List<FetchRequest> requests) {
			return new JobSpec(name, labels, priority, requests, this.policy.toPolicy(),
					(this.deadlineMillis != null) ? Duration.ofMillis(this.deadlineMillis) : null,
					(this.callback != null) ? this.callback.toCallback() : null);
		}

	}

	/** Requests seen as stored, each converted when it is read. */
	private static final class RequestsView extends AbstractList<StoredRequest> implements RandomAccess {

		private final List<FetchRequest> requests;

		RequestsView(List<FetchRequest> requests) {
			this.requests = requests;
		}

		@Override
		public StoredRequest get(int index) {
			return StoredRequest.of(this.requests.get(index));
		}

		@Override
		public int size() {
			return this.requests.size();
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
