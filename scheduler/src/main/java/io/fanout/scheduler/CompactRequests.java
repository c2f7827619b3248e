package io.fanout.scheduler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import io.fanout.fetch.FetchRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's requests held compressed: chunks of {@value #CHUNK_SIZE} requests, each the gzip-compressed
 * JSON array of their {@link StoredRequest}s, decoded when one of their requests is asked for. A
 * million requests of the usual shape (URLs that share a prefix, no body) take tens of bytes each
 * instead of the hundreds a parsed {@link FetchRequest} takes, so one large job fits a small heap.
 * The chunks are also what the database stores, one row each.
 * <p>
 * Requests are asked for mostly in order (a job fetches them by index, and results are made while the
 * next are fetched): the last few decoded chunks are kept, so each chunk is decoded about once per run.
 * Immutable and safe to read from any thread; decoding takes no lock.
 */
public final class CompactRequests extends AbstractList<FetchRequest> implements RandomAccess {

	/** Requests per chunk. */
	public static final int CHUNK_SIZE = 1000;

	/** Decoded chunks kept: enough for the window a run's concurrency spans. */
	private static final int DECODED_KEPT = 4;

	/** Most distinct sets of extraction rules a builder keeps track of. */
	private static final int DISTINCT_RULES_KEPT = 16;

	private static final int GZIP_BUFFER = 8192;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final TypeReference<List<StoredRequest>> CHUNK = new TypeReference<>() {
	};

	static {
		// Jackson builds its deserializers on first use under a lock: here, not on an event loop.
		decode(encode(List.of(new StoredRequest("http://localhost/", "POST", Map.of("Accept", "*/*"), "{}",
				Map.of("value", "$.value")))));
	}

	private final List<byte[]> chunks;

	private final int size;

	private final int chunkSize;

	private final @Nullable Set<Map<String, String>> distinctRules;

	private final AtomicReferenceArray<Decoded> decoded = new AtomicReferenceArray<>(DECODED_KEPT);

	private CompactRequests(List<byte[]> chunks, int size, int chunkSize,
			@Nullable Set<Map<String, String>> distinctRules) {
		this.chunks = chunks;
		this.size = size;
		this.chunkSize = chunkSize;
		this.distinctRules = distinctRules;
	}

	/** These requests, compressed; a {@code CompactRequests} as it is. */
	public static CompactRequests of(List<FetchRequest> requests) {
		if (requests instanceof CompactRequests compact) {
			return compact;
		}
		Builder builder = builder();
		requests.forEach(builder::add);
		return builder.build();
	}

	/**
	 * Requests from stored chunks.
	 * @param chunks the chunks in order, each {@code chunkSize} requests but the last
	 * @param size how many requests the chunks hold
	 * @param chunkSize requests per chunk
	 * @throws IllegalArgumentException if the number of chunks does not fit {@code size}
	 */
	public static CompactRequests ofChunks(List<byte[]> chunks, int size, int chunkSize) {
		if (chunkSize < 1 || size < 0 || chunks.size() != (size + chunkSize - 1) / chunkSize) {
			throw new IllegalArgumentException(
					chunks.size() + " chunks do not hold " + size + " requests of " + chunkSize + " per chunk");
		}
		return new CompactRequests(List.copyOf(chunks), size, chunkSize, null);
	}

	/** Builds the requests of a job one at a time, compressing each chunk as it fills. */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public FetchRequest get(int index) {
		Objects.checkIndex(index, this.size);
		int chunk = index / this.chunkSize;
		int slot = chunk % DECODED_KEPT;
		Decoded found = this.decoded.get(slot);
		if (found == null || found.chunk() != chunk) {
			found = new Decoded(chunk, toRequests(decode(this.chunks.get(chunk))));
			this.decoded.set(slot, found);
		}
		return found.requests().get(index - chunk * this.chunkSize);
	}

	@Override
	public int size() {
		return this.size;
	}

	/** The compressed chunks, in order: what the database stores. */
	public List<byte[]> chunks() {
		return this.chunks;
	}

	/** Requests per chunk. */
	public int chunkSize() {
		return this.chunkSize;
	}

	/**
	 * Every distinct set of extraction rules these requests have, if they were built here and have
	 * few (usually one, the job's): what a check of the rules needs, without decoding a chunk. Else
	 * (many, or read from stored chunks) {@code null}.
	 */
	public @Nullable Set<Map<String, String>> distinctRules() {
		return this.distinctRules;
	}

	/** Bytes the compressed chunks take. */
	public long compressedBytes() {
		long bytes = 0;
		for (byte[] chunk : this.chunks) {
			bytes += chunk.length;
		}
		return bytes;
	}

	private static List<FetchRequest> toRequests(List<StoredRequest> stored) {
		List<FetchRequest> requests = new ArrayList<>(stored.size());
		for (StoredRequest request : stored) {
			requests.add(request.toRequest());
		}
		return Collections.unmodifiableList(requests);
	}

	private static byte[] encode(List<StoredRequest> requests) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (OutputStream gzip = new GZIPOutputStream(bytes, GZIP_BUFFER)) {
			JSON.writeValue(gzip, requests);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not compress a chunk of requests", ex);
		}
		return bytes.toByteArray();
	}

	private static List<StoredRequest> decode(byte[] chunk) {
		try (InputStream json = new GZIPInputStream(new ByteArrayInputStream(chunk), GZIP_BUFFER)) {
			return JSON.readValue(json, CHUNK);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not decompress a chunk of requests", ex);
		}
	}

	private record Decoded(int chunk, List<FetchRequest> requests) {
	}

	/** Adds requests in order; each full chunk is compressed at once, so it holds one chunk parsed. */
	public static final class Builder {

		private final List<byte[]> chunks = new ArrayList<>();

		private final List<StoredRequest> current = new ArrayList<>(CHUNK_SIZE);

		private int size;

		private long compressed;

		/** Roughly what the requests of the chunk being filled take, before compression. */
		private long currentBytes;

		/** The distinct extraction rules added, while there are few; {@code null} after. */
		private @Nullable Set<Map<String, String>> distinctRules = new HashSet<>();

		private Builder() {
		}

		public Builder add(FetchRequest request) {
			Set<Map<String, String>> rules = this.distinctRules;
			if (rules != null && rules.add(request.extract()) && rules.size() > DISTINCT_RULES_KEPT) {
				this.distinctRules = null;
			}
			StoredRequest stored = StoredRequest.of(request);
			this.current.add(stored);
			this.currentBytes += stored.approximateSize();
			this.size++;
			if (this.current.size() == CHUNK_SIZE) {
				flush();
			}
			return this;
		}

		/** How many requests were added. */
		public int size() {
			return this.size;
		}

		/** Bytes the chunks compressed so far take, and the requests of the next chunk as stored. */
		public long compressedBytes() {
			return this.compressed + this.currentBytes;
		}

		public CompactRequests build() {
			if (!this.current.isEmpty()) {
				flush();
			}
			Set<Map<String, String>> rules = this.distinctRules;
			return new CompactRequests(List.copyOf(this.chunks), this.size, CHUNK_SIZE,
					(rules != null) ? Set.copyOf(rules) : null);
		}

		private void flush() {
			byte[] chunk = encode(this.current);
			this.chunks.add(chunk);
			this.compressed += chunk.length;
			this.current.clear();
			this.currentBytes = 0;
		}

	}

	/**
	 * A request as stored, in chunks and in the specs stored before requests were chunked. Version 1:
	 * fields are only ever added, nullable.
	 */
	public record StoredRequest(String url, String method, @Nullable Map<String, String> headers, @Nullable String body,
			@Nullable Map<String, String> extract) {

		public StoredRequest {
			headers = (headers != null) ? new LinkedHashMap<>(headers) : Map.of();
			extract = (extract != null) ? new LinkedHashMap<>(extract) : Map.of();
		}

		public static StoredRequest of(FetchRequest request) {
			return new StoredRequest(request.url().toString(), request.method(), request.headers(), request.body(),
					request.extract());
		}

		/** About the characters the request takes as JSON: what one chunk uncompressed can hold. */
		long approximateSize() {
			long size = this.url.length() + this.method.length() + ((this.body != null) ? this.body.length() : 0);
			for (Map.Entry<String, String> header : this.headers.entrySet()) {
				size += header.getKey().length() + header.getValue().length();
			}
			for (Map.Entry<String, String> rule : this.extract.entrySet()) {
				size += rule.getKey().length() + rule.getValue().length();
			}
			return size;
		}

		public FetchRequest toRequest() {
			return new FetchRequest(URI.create(this.url), this.method, this.headers, this.body, this.extract);
		}

		@Override
		public String toString() {
			// Headers and bodies can hold credentials for the upstream.
			return "StoredRequest[" + this.method + " " + this.url + ", " + this.headers.size() + " header(s)]";
		}

	}

}
