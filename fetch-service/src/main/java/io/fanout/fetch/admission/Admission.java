package io.fanout.fetch.admission;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

import io.fanout.fetch.admission.Gate.Waiter;
import io.fanout.fetch.support.BoundedRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Decides when a request may go, and how much of a body it may hold. A request needs a permit of its
 * upstream host (at most that host's concurrency in flight, all batches together), then one of the
 * process (at most {@code maxInFlight}); a body, beyond a small part read unaccounted, needs room in
 * the memory budget ({@link #reserve}), held until the request's outcome is made. Without room a
 * caller waits, behind the ones that came first, for as long as it lets itself (the request's
 * timeout cancels the wait). Waiting parks no thread: the waiter is completed by whichever thread
 * gives room back. Every request takes the limits in the same order, so none waits for room another
 * waiter holds while waiting for room it holds.
 * <p>
 * A batch's own concurrency is not decided here: that cap is the batch's, and the requests beyond it
 * are not started at all. Host state is kept for a bounded number of hosts ({@link BoundedRegistry}).
 */
public final class Admission {

	private final Gate process;

	private final MemoryBudget memory;

	private final ToIntFunction<String> hostConcurrency;

	private final BoundedRegistry<Gate> hosts;

	/**
	 * @param maxInFlight most requests in flight in the process
	 * @param memory the bytes of response bodies the process may hold at once
	 * @param hostConcurrency most requests in flight to a host, by host name (lower case)
	 * @param maxHosts most hosts whose state is kept while idle
	 * @param idleExpiry how long an idle host's state is kept
	 */
	public Admission(int maxInFlight, MemoryBudget memory, ToIntFunction<String> hostConcurrency, int maxHosts,
			Duration idleExpiry) {
		this(maxInFlight, memory, hostConcurrency, maxHosts, idleExpiry, System::nanoTime);
	}

	Admission(int maxInFlight, MemoryBudget memory, ToIntFunction<String> hostConcurrency, int maxHosts,
			Duration idleExpiry, LongSupplier nanoTime) {
		this.process = new Gate(maxInFlight);
		this.memory = memory;
		this.hostConcurrency = hostConcurrency;
		this.hosts = new BoundedRegistry<>(maxHosts, idleExpiry.toNanos(), Gate::isIdle, nanoTime);
	}

	/** An admission with a memory budget and host state that never get in the way: for tests and embeddings. */
	public static Admission of(int maxInFlight, ToIntFunction<String> hostConcurrency) {
		return new Admission(maxInFlight, MemoryBudget.UNLIMITED, hostConcurrency, 100_000, Duration.ofMinutes(10));
	}

	/**
	 * Room for {@code bytes} more of a body in the memory budget, once there is: a body grows into the
	 * budget as it arrives, past what it may read unaccounted. Cancelling gives the place up.
	 */
	public Mono<Permit> reserve(long bytes) {
		return this.memory.reserve(bytes);
	}

	/**
	 * A permit to send one request to {@code host}, once the host and the process have room. Cancelling the returned Mono gives up the
	 * place in the queue, or the permit if it was granted meanwhile. The permit must be
	 * {@linkplain Permit#release() released} when the request's outcome is made; {@link Mono#usingWhen}
	 * does it on every path.
	 */
	public Mono<Permit> admit(String host) {
		return through(List.of(new Stage(this.hosts.get(host, this::newHostGate), 1), new Stage(this.process, 1)));
	}

	/** A permit once every stage, in order, has let the caller through. */
	static Mono<Permit> through(List<Stage> stages) {
		return Mono.create((sink) -> new Ticket(stages, sink).start());
	}


	/** Requests in flight to {@code host} now. */
	public int inFlight(String host) {
		Gate gate = this.hosts.find(host);
		return (gate != null) ? (int) gate.used() : 0;
	}

	/** Requests waiting for a permit of {@code host} now. */
	public int waiting(String host) {
		Gate gate = this.hosts.find(host);
		return (gate != null) ? gate.waiting() : 0;
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

	/** Drops the state of {@code host} if nothing uses it: for a host that turned out to be refused. */
	public void forget(String host) {
		this.hosts.forget(host);
	}

	private Gate newHostGate(String host) {
		return new Gate(this.hostConcurrency.applyAsInt(host));
	}

	/** The right to send one request; give it back once, when the request has ended. */
	public interface Permit {

		/** Gives the permit back; calling it again does nothing. */
		void release();

		/** {@link #release()}, when subscribed: for {@link Mono#usingWhen}'s clean-ups. */
		default Mono<Void> releasing() {
			return Mono.fromRunnable(this::release);
		}

	}

	/** One limit a request needs room in, and how much. */
	record Stage(Gate gate, long weight) {
	}

	/**
	 * One request's way through its stages, in order. State changes happen under the ticket's own
	 * lock; gate operations and the sink's completion outside it. Exactly one party releases what is
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

		Ticket(List<Stage> stages, MonoSink<Permit> sink) {
			this.stages = stages;
			this.sink = sink;
		}

		void start() {
			this.sink.onCancel(this::cancel);
			advance();
		}

		/** Takes the stages that have room now; parks at the first that has none, or completes. */
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
				Waiter waiter = stage.gate().enter(stage.weight(), this::granted);
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
						return;
					}
				}
				// Cancelled while it entered: take the entry out, or, if granted meanwhile, granted() ends it.
				if (stage.gate().leave(waiter)) {
					release();
				}
				return;
			}
			boolean granted;
			synchronized (this) {
				granted = !this.cancelled && this.held == this.stages.size();
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
				if (this.stages.get(at).gate().leave(waiter)) {
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
				stage.gate().release(stage.weight());
			}
		}

	}

}
