package io.fanout.api.support;

import java.util.List;
import java.util.UUID;

import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.CallbackService;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.Job;
import io.fanout.scheduler.JobNotFoundException;
import io.fanout.scheduler.JobSpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The callbacks of the {@link ApiSliceTest} slice: no tenant has a signing secret and no job a
 * callback. Imported by the slice only (not a component, so the full application never sees it).
 */
final class NoCallbacks implements CallbackService {

	@Override
	public void checkSigning(String owner, JobSpec spec) {
		if (spec.callback() != null) {
			throw new InvalidJobSpecException("callback", "tenant '" + owner + "' has no signing secret");
		}
	}

	@Override
	public Mono<Callback> callback(String owner, UUID jobId) {
		return Mono.empty();
	}

	@Override
	public Mono<Callback> callbackOf(Job job) {
		return Mono.empty();
	}

	@Override
	public Mono<List<CallbackDelivery>> deliveries(String owner, UUID jobId) {
		return Mono.just(List.of());
	}

	@Override
	public Mono<CallbackDelivery> redeliver(String owner, UUID jobId, @Nullable UUID deliveryId) {
		return Mono.error(new JobNotFoundException(jobId));
	}

}
