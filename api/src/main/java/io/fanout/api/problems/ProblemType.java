package io.fanout.api.problems;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The kinds of error the API reports, each with a stable {@code type} URI under
 * {@value #BASE_URI}, a title and a status. Clients branch on the type, never on the detail text.
 */
public enum ProblemType {

	/** A request that is well-formed but has invalid values; {@code errors} names each field. */
	VALIDATION("validation", HttpStatus.BAD_REQUEST, "Invalid request"),

	/** A body that is not JSON at all, or missing. */
	MALFORMED_JSON("malformed-json", HttpStatus.BAD_REQUEST, "Malformed JSON"),

	/** Missing or invalid credentials. */
	UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Unauthorized"),

	/** Authenticated, but not allowed. */
	FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),

	/** No such resource for this tenant (also: another tenant's job or schedule). */
	NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),

	/** The resource does not support the method. */
	METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),

	/** None of the media types in {@code Accept} can be produced. */
	NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),

	/** The request body's {@code Content-Type} is not accepted. */
	UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),

	/**
	 * The request body did not arrive in time: a pause longer than {@code fanout.server.read-timeout}, or
	 * longer than {@code fanout.server.request-timeout} in all; the connection is closed.
	 */
	REQUEST_TIMEOUT("request-timeout", HttpStatus.REQUEST_TIMEOUT, "Request timeout"),

	/** The request body is over the size limit. */
	CONTENT_TOO_LARGE("content-too-large", HttpStatus.CONTENT_TOO_LARGE, "Content too large"),

	/**
	 * The job's status does not allow the operation (cancelling a finished job, deleting or rerunning
	 * one not finished).
	 */
	JOB_STATE("job-state", HttpStatus.CONFLICT, "Conflict with the job's state"),

	/** A schedule name the tenant already gave another schedule. */
	SCHEDULE_NAME_TAKEN("schedule-name-taken", HttpStatus.CONFLICT, "Schedule name taken"),

	/** A schedule run by hand while its previous job is still going, under the SKIP overlap policy. */
	SCHEDULE_OVERLAP("schedule-overlap", HttpStatus.CONFLICT, "Previous run still going"),

	/** A rerun whose outcome filter matches none of the job's results. */
	NOTHING_TO_RERUN("nothing-to-rerun", HttpStatus.CONFLICT, "Nothing to rerun"),

	/** An {@code Idempotency-Key} reused for a different submission. */
	IDEMPOTENCY_CONFLICT("idempotency-conflict", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused"),

	/** The job queue is full; {@code Retry-After} says when to try again. */
	QUEUE_FULL("queue-full", HttpStatus.TOO_MANY_REQUESTS, "Job queue full"),

	/**
	 * The tenant already holds {@code fanout.api.streams.max-per-tenant} result streams open on this
	 * instance; {@code Retry-After} says when to try again.
	 */
	TOO_MANY_STREAMS("too-many-streams", HttpStatus.TOO_MANY_REQUESTS, "Too many open streams"),

	/**
	 * The tenant is at one of its quotas; {@code quota} names it ({@code QUEUED_JOBS}, {@code SCHEDULES},
	 * {@code STORED_BYTES}), {@code limit} and {@code usage} say where it stands, {@code Retry-After}
	 * when to try again.
	 */
	QUOTA_EXCEEDED("quota-exceeded", HttpStatus.TOO_MANY_REQUESTS, "Quota exceeded"),

	/** Fanout failed; the details are in its log, never in the response. */
	INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

	/** Where the type URIs live. */
	public static final String BASE_URI = "https://fanout.io/problems/";

	private final URI uri;

	private final HttpStatus status;

	private final String title;

	ProblemType(String slug, HttpStatus status, String title) {
		this.uri = URI.create(BASE_URI + slug);
		this.status = status;
		this.title = title;
	}

	/** The stable type URI. */
	public URI uri() {
		return this.uri;
	}

	/** The HTTP status this kind of error is reported with. */
	public HttpStatus status() {
		return this.status;
	}

	/** A short, fixed summary of this kind of error. */
	public String title() {
		return this.title;
	}

	/** A problem of this type with the given detail. */
	public ProblemDetail problem(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(this.status, detail);
		problem.setType(this.uri);
		problem.setTitle(this.title);
		return problem;
	}

	/** The type of errors reported with this status, if the API has one. */
	public static @Nullable ProblemType forStatus(HttpStatusCode status) {
		for (ProblemType type : values()) {
			if (type.status.value() == status.value() && type != MALFORMED_JSON && type != VALIDATION) {
				return type;
			}
		}
		return (status.value() == HttpStatus.BAD_REQUEST.value()) ? VALIDATION : null;
	}

}
