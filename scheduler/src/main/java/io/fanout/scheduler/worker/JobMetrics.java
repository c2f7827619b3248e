package io.fanout.scheduler.worker;

import java.time.Duration;
import java.time.Instant;

import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * What the worker of this instance records for operators: how long jobs waited in the queue, how long
 * they ran and how they ended, and how many results it wrote and how long each batch write took. Tags
 * are bounded: a job's terminal status only (no tenant, job or URL).
 */
public final class JobMetrics {

	/** Records into a registry nobody reads: for workers built without one (tests). */
	static JobMetrics none() {
		return new JobMetrics(new SimpleMeterRegistry());
	}

	private final MeterRegistry registry;

	private final Timer queueWait;

	private final Counter resultsWritten;

	private final Timer resultWrite;

	public JobMetrics(MeterRegistry registry) {
		this.registry = registry;
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
