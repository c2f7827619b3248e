package io.fanout.scheduler;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Jobs' callbacks as their owners see them: where each event's delivery stands, and re-delivery.
 * Another owner's job is not found.
 */
public interface CallbackService {

	/** Most deliveries {@link #deliveries} returns: the latest ones. */
	int MAX_LISTED = 20;

	/**
	 * Checks that the owner can send the spec's callback, if it has one: deliveries are signed with the
	 * owner's secret, so an owner without one is refused.
	 * @throws InvalidJobSpecException on {@code callback} if the owner has no signing secret
	 */
	void checkSigning(String owner, JobSpec spec);

	/**
	 * The job's callback, empty if it has none.
	 * @throws JobNotFoundException (as the error signal) if the owner has no such job
	 */
	Mono<Callback> callback(String owner, UUID jobId);

	/**
	 * The callback of a job its owner has just read, empty if it has none: one query, where
	 * {@link #callback(String, UUID)} reads the job again to check its owner.
	 */
	Mono<Callback> callbackOf(Job job);

	/** The job's latest deliveries, newest first, at most {@value #MAX_LISTED}; empty if none. */
	Mono<List<CallbackDelivery>> deliveries(String owner, UUID jobId);

	/**
	 * Queues a delivery again, now, with the same {@code webhook-id} and body, and a fresh retry period:
	 * the one given, or else the job's latest.
	 * @throws JobNotFoundException (as the error signal) if the owner has no such job
	 * @throws IllegalJobStateException (as the error signal) if the job has no callback, no delivery yet,
	 * or not the one given
	 */
	Mono<CallbackDelivery> redeliver(String owner, UUID jobId, @Nullable UUID deliveryId);

}
