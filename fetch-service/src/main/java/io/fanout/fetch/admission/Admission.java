package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchScope;
import io.fanout.fetch.FlowControl;
import io.fanout.fetch.Rate;
import io.fanout.fetch.admission.Limit.Waiter;
import io.fanout.fetch.support.BoundedRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Decides when a request may go, and how much of a body it may hold: the one place where a request
 * waits for its turn. Every limit is a {@link Limit} — a concurrency bound ({@link Gate}) or a rate
 * ({@link Pace}) — and every request takes its limits in one order:
 * <ol>
 * <li>its turn ({@link #turn}): the batch's rate, its flow key's rate, the host's configured rate,
 * the host's slow-down after a 429 or 503 ({@link Throttle}), then room under the flow key's
 * parallelism and under the tenant's requests in flight. A request waits here as long as it takes,
 * its timeout not counting: being paced is not a failure;</li>
 * <li>room to send ({@link #admit}): at most the host's concurrency in flight, then the process's
 * {@code maxInFlight}. This wait counts against the request's timeout (a request that never got
 * room ends {@code REJECTED});</li>
 * <li>room for its body in the memory budget ({@link #reserve}), as it arrives.</li>
 * </ol>
 * Rates hold nothing once passed; bounds are held until the request's attempt has ended. Waiting
 * parks no thread: the waiter is completed by whichever thread gives room back, or by a timer at its
 * slot. Taking limits in one order means no waiter holds what another waits for.
 * <p>
 * A batch's own concurrency is not decided here: that cap is the batch's, and the requests beyond it
 * are not started at all. State is kept per host, flow key and tenant for a bounded number of each
 * ({@link BoundedRegistry}). Rates of hosts and flow keys are shared by every replica when a
 * {@link SlotLeases} store is given; slow-downs are each replica's own.
 */
public final class Admission {

	private final Gate process;

	private final MemoryBudget memory;

	private final Function<String, HostSettings> hostSettings;

	private final @Nullable SlotLeases leases;

	private final Scheduler timer;

	private final LongSupplier nanoTime;

	private final double minThrottleRate;

	private final BoundedRegistry<HostLimits> hosts;

	private final BoundedRegistry<Flow> flows;

	private final BoundedRegistry<Gate> tenants;

	private Admission(Builder builder) {
		this.process = new Gate(builder.maxInFlight);
		this.memory = builder.memory;
		this.hostSettings = builder.hostSettings;
		this.leases = builder.leases;
		this.timer = builder.timer;
		this.nanoTime = builder.nanoTime;
		this.minThrottleRate = builder.minThrottleRate;
		long idle = builder.idleExpiry.toNanos();
		this.hosts = new BoundedRegistry<>(builder.maxKeys, idle, HostLimits::isIdle, builder.nanoTime);
		this.flows = new BoundedRegistry<>(builder.maxKeys, idle, Flow::isIdle, builder.nanoTime);
		this.tenants = new BoundedRegistry<>(builder.maxKeys, idle, Gate::isIdle, builder.nanoTime);
	}

	public static Builder builder() {
		return new Builder();
	}

	/** An admission with a memory budget and host state that never get in the way: for tests and embeddings. */
	public static Admission of(int maxInFlight, ToIntFunction<String> hostConcurrency) {
		return builder().maxInFlight(maxInFlight)
			.hostSettings((host) -> new HostSettings(hostConcurrency.applyAsInt(host), null))
			.build();
	}

	/**
	 * The pace of one batch's requests under its {@code rateLimit}, all hosts together, or null if it
	 * has none: made once per batch and given to {@link #turn} with each of its requests.
	 */
	public @Nullable BatchPace batchPace(FetchPolicy policy) {
		Rate rate = policy.rateLimit();
		return (rate != null) ? new BatchPace(Pace.local(rate.intervalNanos(), this.timer, this.nanoTime)) : null;
	}

	/**
	 * A request's turn: once the rates it falls under let it go and there is room under its flow
	 * key's parallelism and its tenant's requests in flight. Cancelling gives the place up. The permit
	 * is released when the attempt has ended.
	 * @param batchPace what {@link #batchPace} gave for the request's batch
	 */
	public Mono<Permit> turn(String host, FetchScope scope, FetchPolicy policy, @Nullable BatchPace batchPace) {
		List<Stage> stages = new ArrayList<>(6);
		if (batchPace != null) {
			stages.add(new Stage(batchPace.pace, 1));
		}
		Flow flow = flow(scope, policy.flowControl());
		if (flow != null && flow.pace != null) {
			stages.add(new Stage(flow.pace, 1));
		}
		HostLimits limits = this.hosts.get(host, this::newHost);
		if (limits.pace != null) {
			stages.add(new Stage(limits.pace, 1));
		}
		Pace slowDown = limits.throttle.pace();
		if (slowDown != null) {
			stages.add(new Stage(slowDown, 1));
		}
		if (flow != null && flow.parallelism != null) {
			stages.add(new Stage(flow.parallelism, 1));
		}
		if (scope.maxInFlight() != FetchScope.UNLIMITED) {
			Gate tenant = this.tenants.get(scope.tenant(), (name) -> new Gate(scope.maxInFlight()));
			tenant.resize(scope.maxInFlight());
			stages.add(new Stage(tenant, 1));
		}
		return stages.isEmpty() ? Mono.just(NOTHING) : through(stages);
	}

	/**
	 * A permit to send one request to {@code host}, once the host and the process have room.
	 * Cancelling the returned Mono gives up the place in the queue, or the permit if it was granted
	 * meanwhile. The permit must be {@linkplain Permit#release() released} when the request's outcome
	 * is made; {@link Mono#usingWhen} does it on every path.
	 */
	public Mono<Permit> admit(String host) {
		HostLimits limits = this.hosts.get(host, this::newHost);
		limits.throttle.sent();
		return through(List.of(new Stage(limits.concurrency, 1), new Stage(this.process, 1)));
	}

	/**
	 * The host answered that it is overloaded (429, 503): requests to it slow down, for every batch,
	 * until it stops complaining.
	 * @param retryAfter how long it asked to be left alone, if it said
	 */
	public void refused(String host, @Nullable Duration retryAfter) {
		this.hosts.get(host, this::newHost).throttle.refused(retryAfter);
	}

	/**
	 * Room for {@code bytes} more of a body in the memory budget, once there is: a body grows into the
	 * budget as it arrives, past what it may read unaccounted. Cancelling gives the place up.
	 */
	public Mono<Permit> reserve(long bytes) {
		return this.memory.reserve(bytes);
	}

	/** A permit once every stage, in order, has let the caller through. */
	static Mono<Permit> through(List<Stage> stages) {
		return Mono.create((sink) -> new Ticket(stages, sink).start());
	}

	/** Requests in flight to {@code host} now. */
	public int inFlight(String host) {
		HostLimits limits = this.hosts.find(host);
		return (limits != null) ? (int) limits.concurrency.used() : 0;
	}

	/** Requests waiting for a permit of {@code host} now. */
	public int waiting(String host) {
		HostLimits limits = this.hosts.find(host);
		return (limits != null) ? limits.concurrency.waiting() : 0;
	}

	/** Requests in flight in the whole process now. */
	public int inFlight() {
		return (int) this.process.used();
	}

	/** Bytes of the memory budget held now. */
	public long memoryHeld() {
		return this.memory.held();
	}

	/** Hosts whose state is kept now. */
	public int hostsKept() {
		return this.hosts.size();
	}

	/** Flow keys whose state is kept now. */
	public int flowsKept() {
		return this.flows.size();
	}

	/** Requests waiting for their turn under a rate now: batches', flow keys' and hosts'. */
	public int pacedWaiting() {
		int waiting = 0;
		for (HostLimits limits : this.hosts.snapshot().values()) {
			waiting += (limits.pace != null) ? limits.pace.waiting() : 0;
			Pace slowDown = limits.throttle.current();
			waiting += (slowDown != null) ? slowDown.waiting() : 0;
		}
		for (Flow flow : this.flows.snapshot().values()) {
			waiting += (flow.pace != null) ? flow.pace.waiting() : 0;
		}
		return waiting;
	}

	/** Hosts slowed down after telling this process to, now. */
	public int hostsSlowedDown() {
		return (int) this.hosts.snapshot().values().stream().filter((limits) -> limits.throttle.rate() > 0).count();
	}

	/** The rate {@code host} is slowed down to now, requests per second, or 0 if it is not. */
	public double slowDown(String host) {
		HostLimits limits = this.hosts.find(host);
		return (limits != null) ? limits.throttle.rate() : 0;
	}

	/** What configuration says of {@code host}. */
	public HostSettings settings(String host) {
		return this.hostSettings.apply(host);
	}

	/** Drops the state of {@code host} if nothing uses it: for a host that turned out to be refused. */
	public void forget(String host) {
		this.hosts.forget(host);
	}

	private HostLimits newHost(String host) {
		HostSettings settings = this.hostSettings.apply(host);
		Pace pace = null;
		if (settings.rate() != null) {
			pace = pace("host:" + host, settings.rate());
		}
		double ceiling = (settings.rate() != null) ? settings.rate().perSecond() : 0;
		return new HostLimits(new Gate(settings.maxConcurrency()), pace,
				new Throttle(this.timer, this.nanoTime, this.minThrottleRate, ceiling));
	}

	private @Nullable Flow flow(FetchScope scope, @Nullable FlowControl control) {
		if (control == null) {
			return null;
		}
		Flow flow = this.flows.get(scope.tenant() + '\u0000' + control.key(), (key) -> new Flow(
				(control.rate() != null) ? pace("flow:" + scope.tenant() + ":" + control.key(), control.rate()) : null,
				(control.parallelism() != null) ? new Gate(control.parallelism()) : null));
		flow.apply(control);
		return flow;
	}

	private Pace pace(String key, Rate rate) {
		long interval = rate.intervalNanos();
		Pace.Slots slots = (this.leases != null) ? new LeasedSlots(key, interval, this.leases, this.nanoTime)
				: new Pace.LocalSlots(interval);
		return new Pace(slots, this.timer, this.nanoTime);
	}

	private static final Permit NOTHING = () -> {
	};

	/**
	 * What configuration says of a host.
	 *
	 * @param maxConcurrency most requests in flight to it
	 * @param rate how fast requests may go to it, all replicas together; null for no rate
	 */
	public record HostSettings(int maxConcurrency, @Nullable Rate rate) {
	}

	/** The rate of one batch's requests, all hosts together. */
	public static final class BatchPace {

		private final Pace pace;

		private BatchPace(Pace pace) {
			this.pace = pace;
		}

	}

	/** The right to go on; give it back once, when the request has ended. */
	public interface Permit {

		/** Gives the permit back; calling it again does nothing. */
		void release();

		/** How long the holder waited for the permit, or 0 if it was granted at once. */
		default long waitedNanos() {
			return 0;
		}

		/** {@link #release()}, when subscribed: for {@link Mono#usingWhen}'s clean-ups. */
		default Mono<Void> releasing() {
			return Mono.fromRunnable(this::release);
		}

	}

	/** One limit a request needs to pass, and with how much. */
	record Stage(Limit limit, long weight) {
	}

	/** A host's limits: its concurrency, its configured rate, and its slow-down. */
	private record HostLimits(Gate concurrency, @Nullable Pace pace, Throttle throttle) {

		boolean isIdle() {
			return this.concurrency.isIdle() && (this.pace == null || this.pace.isIdle()) && this.throttle.isIdle();
		}

	}

	/** A flow key's limits; the settings of the batch that started last apply. */
	private static final class Flow {

		private final @Nullable Pace pace;

		private final @Nullable Gate parallelism;

		Flow(@Nullable Pace pace, @Nullable Gate parallelism) {
			this.pace = pace;
			this.parallelism = parallelism;
		}

		void apply(FlowControl control) {
			if (this.pace != null && control.rate() != null) {
				this.pace.interval(control.rate().intervalNanos());
			}
			if (this.parallelism != null && control.parallelism() != null) {
				this.parallelism.resize(control.parallelism());
			}
		}

		boolean isIdle() {
			return (this.pace == null || this.pace.isIdle()) && (this.parallelism == null || this.parallelism.isIdle());
		}

	}

	/** Settings of an {@link Admission}. */
	public static final class Builder {

		private int maxInFlight = 10_000;

		private MemoryBudget memory = MemoryBudget.UNLIMITED;

		private Function<String, HostSettings> hostSettings = (host) -> new HostSettings(10_000, null);

		private @Nullable SlotLeases leases;

		private int maxKeys = 100_000;

		private Duration idleExpiry = Duration.ofMinutes(10);

		private double minThrottleRate = 1;

		private Scheduler timer = Schedulers.parallel();

		private LongSupplier nanoTime = System::nanoTime;

		private Builder() {
		}

		/** Most requests in flight in the process. */
		public Builder maxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
			return this;
		}

		/** The bytes of response bodies the process may hold at once. */
		public Builder memory(MemoryBudget memory) {
			this.memory = memory;
			return this;
		}

		/** What configuration says of each host, by host name (lower case). */
		public Builder hostSettings(Function<String, HostSettings> hostSettings) {
			this.hostSettings = hostSettings;
			return this;
		}

		/** Where rates of hosts and flow keys are shared with other replicas; null to keep them here. */
		public Builder slotLeases(@Nullable SlotLeases leases) {
			this.leases = leases;
			return this;
		}

		/** Most hosts, flow keys and tenants whose state is kept while idle, and for how long. */
		public Builder keys(int maxKeys, Duration idleExpiry) {
			this.maxKeys = maxKeys;
			this.idleExpiry = idleExpiry;
			return this;
		}

		/** The slowest a host that complains is slowed down to, requests per second. */
		public Builder minThrottleRate(double perSecond) {
			this.minThrottleRate = perSecond;
			return this;
		}

		/** The clock and timer of rates: a virtual-time scheduler in tests. */
		public Builder timer(Scheduler timer, LongSupplier nanoTime) {
			this.timer = timer;
			this.nanoTime = nanoTime;
			return this;
		}

		public Admission build() {
			return new Admission(this);
		}

	}

	/**
	 * One request's way through its stages, in order. State changes happen under the ticket's own
	 * lock; limit operations and the sink's completion outside it. Exactly one party releases what is
	 * held: the subscriber through {@link #release()} once granted, or the ticket itself when it is
	 * cancelled first.
	 */
	private static final class Ticket implements Permit {

		private final List<Stage> stages;

		private final MonoSink<Permit> sink;

		/** How many stages are held; the stages before this index. */
		private int held;

		private @Nullable Waiter waiting;

		private boolean cancelled;

		private boolean released;

		/** Whether it had to wait, since when (System.nanoTime), and how long in all once granted. */
		private boolean parked;

		private long parkedAt;

		private long waited;

		Ticket(List<Stage> stages, MonoSink<Permit> sink) {
			this.stages = stages;
			this.sink = sink;
		}

		void start() {
			this.sink.onCancel(this::cancel);
			advance();
		}

		/** Takes the stages that let it through now; parks at the first that does not, or completes. */
		private void advance() {
			while (true) {
				Stage stage;
				int at;
				synchronized (this) {
					if (this.cancelled) {
						break;
					}
					if (this.held == this.stages.size()) {
						break;
					}
					at = this.held;
					stage = this.stages.get(at);
				}
				Waiter waiter = stage.limit().enter(stage.weight(), this::granted);
				if (waiter == null) {
					synchronized (this) {
						this.held++;
					}
					continue;
				}
				synchronized (this) {
					if (this.held != at) {
						// Granted on another thread before it was recorded as waiting: granted() carries
						// on from there. Recording it now would leave a stale waiter that a later cancel
						// mistakes for one still in line, and the room would never come back.
						return;
					}
					if (!this.cancelled) {
						this.waiting = waiter;
						if (!this.parked) {
							this.parked = true;
							this.parkedAt = System.nanoTime();
						}
						return;
					}
				}
				// Cancelled while it entered: take the entry out, or, if granted meanwhile, granted() ends it.
				if (stage.limit().leave(waiter)) {
					release();
				}
				return;
			}
			boolean granted;
			synchronized (this) {
				granted = !this.cancelled && this.held == this.stages.size();
				if (granted && this.parked) {
					this.waited = Math.max(1, System.nanoTime() - this.parkedAt);
				}
			}
			if (granted) {
				this.sink.success(this);
			}
			else {
				release();
			}
		}

		/** The stage this ticket waited at let it through: it holds that one too. */
		private void granted() {
			synchronized (this) {
				this.held++;
				this.waiting = null;
			}
			advance();
		}

		private void cancel() {
			Waiter waiter;
			int at;
			boolean complete;
			synchronized (this) {
				if (this.cancelled) {
					return;
				}
				this.cancelled = true;
				waiter = this.waiting;
				this.waiting = null;
				at = this.held;
				complete = this.held == this.stages.size();
			}
			if (waiter != null) {
				if (this.stages.get(at).limit().leave(waiter)) {
					release();
				}
				// Otherwise it was granted meanwhile: granted() runs advance(), which sees the cancellation.
			}
			else if (complete) {
				// The permit may have been handed over as the subscriber went away, and dropped.
				release();
			}
		}

		@Override
		public synchronized long waitedNanos() {
			return this.waited;
		}

		@Override
		public void release() {
			int count;
			synchronized (this) {
				if (this.released) {
					return;
				}
				this.released = true;
				count = this.held;
				this.held = 0;
			}
			for (int i = count - 1; i >= 0; i--) {
				Stage stage = this.stages.get(i);
				stage.limit().release(stage.weight());
			}
		}

	}

}
