package io.fanout.scheduler.worker;

import java.time.Duration;
import java.time.Instant;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.jobs.Fence;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

/**
 * What the worker of this instance records for operators: how long jobs waited in the queue, how long
 * they ran and how they ended, and how many results it wrote and how long each batch write took. Tags
 * are bounded: a job's terminal status only (no tenant, job or URL). With tracing on, each run of a
 * job is a span ({@code fanout.job.run}), the parent of its upstream requests' spans.
 */
public final class JobTelemetry {

	/** Records into a registry nobody reads and traces nothing: for workers built without them (tests). */
	static JobTelemetry none() {
		return new JobTelemetry(new SimpleMeterRegistry());
	}

	private final MeterRegistry registry;

	private final Tracer tracer;

	private final Timer queueWait;

	private final Counter resultsWritten;

	private final Timer resultWrite;

	/** Metrics only: job runs are not traced. */
	public JobTelemetry(MeterRegistry registry) {
		this(registry, Tracer.NOOP);
	}

	public JobTelemetry(MeterRegistry registry, Tracer tracer) {
		this.registry = registry;
		this.tracer = tracer;
		this.queueWait = Timer.builder("fanout.jobs.queue.wait")
			.description("From the moment a job could run (submitted, or its notBefore) until a worker claimed it")
			.register(registry);
		this.resultsWritten = Counter.builder("fanout.results.written")
			.description("Results stored by this instance's worker")
			.register(registry);
		this.resultWrite = Timer.builder("fanout.results.write")
			.description("Time to store one batch of results")
			.register(registry);
	}

	/** {@code job} claimed at {@code claimedAt}: it waited since it was submitted or became due. */
	void claimed(Job job, Instant claimedAt) {
		Instant due = (job.notBefore() != null && job.notBefore().isAfter(job.createdAt())) ? job.notBefore()
				: job.createdAt();
		Duration waited = Duration.between(due, claimedAt);
		this.queueWait.record(waited.isNegative() ? Duration.ZERO : waited);
	}

	/**
	 * A new root span for one run of {@code job} here (a resumed job gets a span per attempt),
	 * tagged with the job, its owner and the attempt; not sampled, or tracing off, it is a no-op.
	 */
	Span runSpan(Job job, Fence fence, int requests) {
		if (this.tracer == Tracer.NOOP) {
			return Span.NOOP;
		}
		return this.tracer.spanBuilder()
			.setNoParent()
			.name("fanout.job.run")
			.tag("fanout.job.id", job.id().toString())
			.tag("fanout.tenant", job.owner())
			.tag("fanout.job.attempt", fence.attempt())
			.tag("fanout.job.requests", requests)
			.start();
	}

	/** A job this instance ran ended with {@code status}, {@code ran} after it was claimed here. */
	void finished(JobStatus status, Duration ran) {
		Counter.builder("fanout.jobs.finished")
			.description("Jobs that ended on this instance, by terminal status")
			.tag("status", status.name())
			.register(this.registry)
			.increment();
		Timer.builder("fanout.jobs.duration")
			.description("From claim to end, by terminal status (a job resumed elsewhere counts from its last claim)")
			.tag("status", status.name())
			.register(this.registry)
			.record(ran.isNegative() ? Duration.ZERO : ran);
	}

	/** A batch of {@code count} results was stored in {@code took}. */
	void resultsWritten(int count, Duration took) {
		this.resultsWritten.increment(count);
		this.resultWrite.record(took);
	}

}
