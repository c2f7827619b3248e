package io.fanout.api.schedules;

import java.net.URI;
import java.security.Principal;
import java.util.UUID;

import io.fanout.api.jobs.JobResponse;
import io.fanout.api.jobs.PageResponses;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.SchedulePage;
import io.fanout.scheduler.ScheduleService;
import reactor.core.publisher.Mono;

import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.RestController;

/**
 * The schedules resource. Every operation acts for the authenticated tenant: another tenant's schedule
 * is reported as not found. All the work is the scheduler's ({@link ScheduleService}); this class maps
 * HTTP to it and back. Routes, parameters and their documentation are on {@link SchedulesApi}.
 */
@RestController
class ScheduleController implements SchedulesApi {

	private static final String JOBS_PATH = "/api/v1/jobs";

	private final ScheduleService schedules;

	private final ScheduleSubmissions submissions;

	private final CallbackService callbacks;

	ScheduleController(ScheduleService schedules, ScheduleSubmissions submissions, CallbackService callbacks) {
		this.schedules = schedules;
		this.callbacks = callbacks;
		this.submissions = submissions;
	}

	@Override
	public Mono<ResponseEntity<ScheduleResponse>> create(ScheduleSubmission submission, Principal principal) {
		return Mono.fromSupplier(() -> this.submissions.toSpec(submission, null))
			.doOnNext((spec) -> this.callbacks.checkSigning(principal.getName(), spec.template()))
			.flatMap((spec) -> this.schedules.create(principal.getName(), spec))
			.map((schedule) -> ResponseEntity.created(URI.create(BASE_PATH + "/" + schedule.id()))
				.body(ScheduleResponse.of(schedule)));
	}

	@Override
	public Mono<SchedulePageResponse> list(ScheduleListParameters parameters, ServerHttpRequest request,
			Principal principal) {
		return Mono.fromSupplier(parameters::toQuery)
			.flatMap((query) -> this.schedules.list(principal.getName(), query))
			.map((page) -> page(page, request));
	}

	@Override
	public Mono<ScheduleResponse> get(UUID id, Principal principal) {
		return this.schedules.get(principal.getName(), id).map(ScheduleResponse::of);
	}

	@Override
	public Mono<ScheduleResponse> replace(UUID id, ScheduleSubmission submission, Principal principal) {
		// The template sent back keeps the stored header values and bodies it names (JobSubmission.Request).
		return this.schedules.get(principal.getName(), id)
			.map((current) -> this.submissions.toSpec(submission, current.template()))
			.doOnNext((spec) -> this.callbacks.checkSigning(principal.getName(), spec.template()))
			.flatMap((spec) -> this.schedules.update(principal.getName(), id, spec))
			.map(ScheduleResponse::of);
	}

	@Override
	public Mono<ResponseEntity<Void>> delete(UUID id, Principal principal) {
		return this.schedules.delete(principal.getName(), id)
			.then(Mono.fromSupplier(() -> ResponseEntity.noContent().build()));
	}

	@Override
	public Mono<ScheduleResponse> pause(UUID id, Principal principal) {
		return this.schedules.pause(principal.getName(), id).map(ScheduleResponse::of);
	}

	@Override
	public Mono<ScheduleResponse> resume(UUID id, Principal principal) {
		return this.schedules.resume(principal.getName(), id).map(ScheduleResponse::of);
	}

	@Override
	public Mono<ResponseEntity<JobResponse>> trigger(UUID id, Principal principal) {
		return this.schedules.trigger(principal.getName(), id)
			.map((job) -> ResponseEntity.accepted()
				.location(URI.create(JOBS_PATH + "/" + job.id()))
				.body(JobResponse.of(job)));
	}

	private static SchedulePageResponse page(SchedulePage page, ServerHttpRequest request) {
		String next = (page.nextCursor() != null) ? page.nextCursor().toString() : null;
		return new SchedulePageResponse(page.items().stream().map(ScheduleResponse::of).toList(), next,
				PageResponses.PageLinks.of(request, next));
	}

}
