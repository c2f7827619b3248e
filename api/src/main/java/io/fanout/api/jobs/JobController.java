package io.fanout.api.jobs;

import java.net.URI;
import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.fanout.api.problems.InvalidRequestException;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.ResultPage;
import io.fanout.scheduler.ResultStreamQuery;
import io.fanout.scheduler.StreamedResult;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jobs resource. Every operation acts for the authenticated tenant: another tenant's job is
 * reported as not found. All the work is the scheduler's ({@link JobService}); this class maps HTTP
 * to it and back. Routes, parameters and their documentation are on {@link JobsApi}.
 */
@RestController
class JobController implements JobsApi {

	private final JobService jobs;

	private static final byte[] NEWLINE = { '\n' };

	private final JobSubmissions submissions;

	private final ResultStreams streams;

	private final JsonMapper json;

	private final CallbackService callbacks;

	JobController(JobService jobs, JobSubmissions submissions, ResultStreams streams, JsonMapper json,
			CallbackService callbacks) {
		this.jobs = jobs;
		this.callbacks = callbacks;
		this.submissions = submissions;
		this.streams = streams;
		this.json = json;
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> submit(JobSubmission submission, @Nullable String idempotencyKey,
			Principal principal) {
		String owner = principal.getName();
		return Mono.fromSupplier(() -> this.submissions.toSpec(submission))
			.doOnNext((spec) -> this.callbacks.checkSigning(owner, spec))
			.flatMap((spec) -> this.jobs.submit(owner, spec, idempotencyKey, null, submission.notBefore())
				.map((job) -> accepted(JobResponse.of(job, spec.callback(), List.of()))))
			.onErrorMap(InvalidJobSpecException.class, JobController::keyAsHeader);
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> submitStream(Flux<JsonNode> lines, @Nullable String idempotencyKey,
			Principal principal) {
		String owner = principal.getName();
		return Mono.defer(() -> {
			JobSubmissions.Streamed streamed = this.submissions.streamed();
			AtomicReference<JobSubmission> settings = new AtomicReference<>();
			return lines.doOnNext((line) -> {
				if (settings.get() == null) {
					settings.set(read(line, JobSubmission.class, "settings", "the first line, the job's settings"));
				}
				else {
					int index = streamed.count();
					streamed.add(read(line, JobSubmission.Request.class, "requests[" + index + "]",
							"line " + (index + 2) + ", a request"));
				}
			})
				// Once the submission is invalid, the rest of the body changes nothing: it is not read.
				.takeUntil((line) -> streamed.invalid())
				.then(Mono.fromSupplier(() -> {
					JobSubmission read = settings.get();
					if (read == null) {
						throw new InvalidRequestException("settings",
								"the body is empty: its first line holds the job's settings, then one request per line");
					}
					return Map.entry(read, streamed.toSpec(read));
				}));
		})
			.doOnNext((submission) -> this.callbacks.checkSigning(owner, submission.getValue()))
			.flatMap((submission) -> this.jobs
				.submit(owner, submission.getValue(), idempotencyKey, null, submission.getKey().notBefore())
				.map((job) -> accepted(JobResponse.of(job, submission.getValue().callback(), List.of()))))
			.onErrorMap(InvalidJobSpecException.class, JobController::keyAsHeader);
	}

	/** One line of a streamed submission as {@code type}; a line that is not one is a 400 naming it. */
	private <T> T read(JsonNode line, Class<T> type, String field, String what) {
		if (!line.isObject()) {
			throw new InvalidRequestException(field, what + " must be a JSON object");
		}
		try {
			return this.json.treeToValue(line, type);
		}
		catch (JacksonException ex) {
			throw new InvalidRequestException(field, what + " is not valid: " + ex.getOriginalMessage());
		}
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> rerun(UUID id, @Nullable RerunSubmission rerun,
			@Nullable String idempotencyKey, Principal principal) {
		String owner = principal.getName();
		return Mono.fromSupplier(() -> JobSubmissions.rerunDraft((rerun != null) ? rerun : RerunSubmission.NONE))
			.flatMap((draft) -> this.jobs.rerun(owner, id, draft, idempotencyKey))
			.onErrorMap(InvalidJobSpecException.class, JobController::keyAsHeader)
			// A rerun inherits the original's callback: the answer shows it, as GET does.
			.flatMap((job) -> withCallback(owner, job, Mono.just(JobResponse.of(job))))
			.map(JobController::accepted);
	}

	/** The scheduler checks the idempotency key; the client knows it as a header. */
	private static Throwable keyAsHeader(InvalidJobSpecException ex) {
		return "idempotencyKey".equals(ex.field()) ? new InvalidRequestException(IDEMPOTENCY_KEY, ex.getMessage()) : ex;
	}

	private static ResponseEntity<JobResponse> accepted(JobResponse job) {
		return ResponseEntity.accepted().location(URI.create(BASE_PATH + "/" + job.id())).body(job);
	}

	@Override
	public Mono<JobResponse> get(UUID id, Principal principal) {
		String owner = principal.getName();
		return this.jobs.get(owner, id)
			.flatMap((job) -> withCallback(owner, job,
					this.jobs.reruns(owner, id).map((reruns) -> JobResponse.of(job, reruns))));
	}

	@Override
	public Mono<ResponseEntity<JobResponse.DeliveryResponse>> redeliver(UUID id, @Nullable UUID deliveryId,
			Principal principal) {
		return this.callbacks.redeliver(principal.getName(), id, deliveryId)
			.map((delivery) -> ResponseEntity.accepted().body(JobResponse.DeliveryResponse.of(delivery)));
	}

	/**
	 * The response with the job's callback and latest deliveries, read from the outbox (never from the
	 * spec): the three queries at once, for a job just read as its owner's.
	 */
	private Mono<JobResponse> withCallback(String owner, Job job, Mono<JobResponse> response) {
		return Mono.zip(response, this.callbacks.callbackOf(job).map(Optional::of).defaultIfEmpty(Optional.empty()),
				this.callbacks.deliveries(owner, job.id()))
			.map((found) -> found.getT2()
				.map((callback) -> found.getT1().withCallback(callback, found.getT3()))
				.orElse(found.getT1()));
	}

	@Override
	public Mono<PageResponses.JobPage> list(JobListParameters parameters, ServerHttpRequest request,
			Principal principal) {
		return Mono.fromSupplier(parameters::toQuery)
			.flatMap((query) -> this.jobs.list(principal.getName(), query))
			.map((page) -> jobPage(page, request));
	}

	@Override
	public Mono<PageResponses.ResultPage> results(UUID id, ResultPageParameters parameters, ServerHttpRequest request,
			Principal principal) {
		return Mono.fromSupplier(parameters::toQuery)
			.flatMap((query) -> this.jobs.results(principal.getName(), id, query))
			.map((page) -> resultPage(page, parameters.withBodies(), request));
	}

	@Override
	public Mono<Void> streamResults(UUID id, ResultStreamParameters parameters, ServerHttpResponse response,
			Principal principal) {
		String owner = principal.getName();
		return Mono.fromSupplier(() -> parameters.resumeAfter(null)).flatMap((after) -> {
			Flux<DataBuffer> lines = this.streams.open(owner, (lifetime) -> lifetime
				.limit(this.jobs.streamResults(owner, id, new ResultStreamQuery(after, parameters.withBodies())))
				.filter((streamed) -> parameters.filter().test(streamed.result()))
				.map((streamed) -> line(response, ResultResponse.of(streamed.result(), parameters.withBodies(),
						streamed.position()))),
					// An empty line: NDJSON readers skip it, proxies see the connection in use.
					() -> response.bufferFactory().wrap(NEWLINE));
			response.getHeaders().setContentType(MediaType.APPLICATION_NDJSON);
			return response.writeAndFlushWith(lines.map(Mono::just));
		});
	}

	@Override
	public Flux<ServerSentEvent<Object>> streamResultEvents(UUID id, ResultStreamParameters parameters,
			@Nullable Long lastEventId, Principal principal) {
		String owner = principal.getName();
		return Mono.fromSupplier(() -> parameters.resumeAfter(lastEventId))
			.flatMapMany((after) -> this.streams.open(owner, (lifetime) -> {
				AtomicInteger cursor = new AtomicInteger(after);
				Flux<ServerSentEvent<Object>> results = lifetime
					.limit(this.jobs.streamResults(owner, id, new ResultStreamQuery(after, parameters.withBodies())))
					// Past the cut only: the cursor is what the client has been sent, filtered results included.
					.doOnNext((streamed) -> cursor.set(streamed.position()))
					.filter((streamed) -> parameters.filter().test(streamed.result()))
					.map((streamed) -> resultEvent(streamed, parameters.withBodies()));
				Mono<ServerSentEvent<Object>> last = Mono.defer(() -> lifetime.expired()
						? Mono.just(expiredEvent(cursor.get()))
						: this.jobs.get(owner, id)
							.map((job) -> ServerSentEvent.<Object>builder(JobResponse.of(job)).event("end").build()));
				return results.concatWith(last);
			}, () -> ServerSentEvent.<Object>builder().comment("heartbeat").build()));
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> cancel(UUID id, Principal principal) {
		String owner = principal.getName();
		return this.jobs.cancel(owner, id)
			.flatMap((job) -> withCallback(owner, job, Mono.just(JobResponse.of(job))))
			.map((job) -> ResponseEntity.accepted().body(job));
	}

	@Override
	public Mono<ResponseEntity<Void>> delete(UUID id, Principal principal) {
		return this.jobs.delete(principal.getName(), id).then(Mono.fromSupplier(() -> ResponseEntity.noContent().build()));
	}

	private static ServerSentEvent<Object> resultEvent(StreamedResult streamed, boolean includeBody) {
		return ServerSentEvent.<Object>builder(ResultResponse.of(streamed.result(), includeBody, streamed.position()))
			.id(Integer.toString(streamed.position()))
			.event("result")
			.build();
	}

	/** The last event of a stream cut by its maximum lifetime: where to resume, as its id and its data. */
	private static ServerSentEvent<Object> expiredEvent(int cursor) {
		return ServerSentEvent.<Object>builder(Map.of("after", cursor))
			.id(Integer.toString(cursor))
			.event("expired")
			.build();
	}

	private DataBuffer line(ServerHttpResponse response, ResultResponse result) {
		byte[] json = this.json.writeValueAsBytes(result);
		byte[] line = Arrays.copyOf(json, json.length + 1);
		line[json.length] = '\n';
		return response.bufferFactory().wrap(line);
	}

	private static PageResponses.JobPage jobPage(JobPage page, ServerHttpRequest request) {
		String next = (page.nextCursor() != null) ? page.nextCursor().toString() : null;
		return new PageResponses.JobPage(page.items().stream().map(JobResponse::of).toList(), next,
				PageResponses.PageLinks.of(request, next));
	}

	private static PageResponses.ResultPage resultPage(ResultPage page, boolean includeBody,
			ServerHttpRequest request) {
		String next = (page.nextCursor() != null) ? page.nextCursor().toString() : null;
		return new PageResponses.ResultPage(page.items().stream().map((result) -> ResultResponse.of(result, includeBody))
			.toList(), next, PageResponses.PageLinks.of(request, next));
	}

}
