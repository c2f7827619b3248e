package io.fanout.api.jobs;

import java.net.URI;
import java.security.Principal;
import java.util.UUID;

import io.fanout.api.problems.InvalidRequestException;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.JobPage;
import io.fanout.scheduler.JobResult;
import io.fanout.scheduler.JobService;
import io.fanout.scheduler.ResultPage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jobs resource. Every operation acts for the authenticated tenant: another tenant's job is
 * reported as not found. All the work is the scheduler's ({@link JobService}); this class maps HTTP
 * to it and back. Routes, parameters and their documentation are on {@link JobsApi}.
 */
@RestController
class JobController implements JobsApi {

	private final JobService jobs;

	private final JobSubmissions submissions;

	JobController(JobService jobs, JobSubmissions submissions) {
		this.jobs = jobs;
		this.submissions = submissions;
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> submit(JobSubmission submission, @Nullable String idempotencyKey,
			Principal principal) {
		return Mono.fromSupplier(() -> this.submissions.toSpec(submission))
			.flatMap((spec) -> this.jobs.submit(principal.getName(), spec, idempotencyKey, null))
			// The scheduler checks the key; the client knows it as a header.
			.onErrorMap(InvalidJobSpecException.class, (ex) -> "idempotencyKey".equals(ex.field())
					? new InvalidRequestException(IDEMPOTENCY_KEY, ex.getMessage()) : ex)
			.map((job) -> ResponseEntity.accepted()
				.location(URI.create(BASE_PATH + "/" + job.id()))
				.body(JobResponse.of(job)));
	}

	@Override
	public Mono<JobResponse> get(UUID id, Principal principal) {
		return this.jobs.get(principal.getName(), id).map(JobResponse::of);
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
	public Flux<ResultResponse> streamResults(UUID id, ResultStreamParameters parameters, Principal principal) {
		return this.jobs.streamResults(principal.getName(), id)
			.filter(parameters.filter())
			.map((result) -> ResultResponse.of(result, parameters.withBodies()));
	}

	@Override
	public Flux<ServerSentEvent<Object>> streamResultEvents(UUID id, ResultStreamParameters parameters,
			@Nullable Long lastEventId, Principal principal) {
		String owner = principal.getName();
		long skip = (lastEventId != null) ? Math.max(0, lastEventId) : 0;
		Flux<ServerSentEvent<Object>> results = this.jobs.streamResults(owner, id)
			.filter(parameters.filter())
			.index()
			.skip(skip)
			.map((indexed) -> resultEvent(indexed.getT1() + 1, indexed.getT2(), parameters.withBodies()));
		Mono<ServerSentEvent<Object>> end = Mono.defer(() -> this.jobs.get(owner, id))
			.map((job) -> ServerSentEvent.<Object>builder(JobResponse.of(job)).event("end").build());
		return results.concatWith(end);
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> cancel(UUID id, Principal principal) {
		return this.jobs.cancel(principal.getName(), id)
			.map((job) -> ResponseEntity.accepted().body(JobResponse.of(job)));
	}

	@Override
	public Mono<ResponseEntity<Void>> delete(UUID id, Principal principal) {
		return this.jobs.delete(principal.getName(), id).then(Mono.fromSupplier(() -> ResponseEntity.noContent().build()));
	}

	private static ServerSentEvent<Object> resultEvent(long sequence, JobResult result, boolean includeBody) {
		return ServerSentEvent.<Object>builder(ResultResponse.of(result, includeBody))
			.id(Long.toString(sequence))
			.event("result")
			.build();
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
