package io.fanout.fetch.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

import io.fanout.fetch.admission.Gate.Waiter;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Decides when a request may go. A request needs a permit of its upstream host (at most that host's
 * concurrency in flight, all batches together) and one of the process (at most
 * {@code maxInFlight}); without room it waits, behind the requests that came first, for as long as
 * its caller lets it (the request's timeout cancels the wait). Waiting parks no thread: the waiter is
 * completed by whichever thread gives a permit back.
 * <p>
 * A batch's own concurrency is not decided here: that cap is the batch's, and the requests beyond it
 * are not started at all.
 */
public final class Admission {

	private final Gate process;

	private final ToIntFunction<String> hostConcurrency;

	private final Map<String, Gate> hosts = new ConcurrentHashMap<>();

	/**
	 * @param maxInFlight most requests in flight in the process
	 * @param hostConcurrency most requests in flight to a host, by host name (lower case)
	 */
	public Admission(int maxInFlight, ToIntFunction<String> hostConcurrency) {
		this.process = new Gate(maxInFlight);
		this.hostConcurrency = hostConcurrency;
	}

	/**
	 * A permit to send one request to {@code host}, once both the host and the process have room.
	 * Cancelling the returned Mono gives up the place in the queue, or the permit if it was granted
	 * meanwhile. The permit must be {@linkplain Permit#release() released} when the request ends;
	 * {@link Mono#usingWhen} does it on every path.
	 */
	public Mono<Permit> admit(String host) {
		return Mono.create((sink) -> new Ticket(gate(host), this.process, sink).start());
	}

	/** Requests in flight to {@code host} now. */
	public int inFlight(String host) {
		Gate gate = this.hosts.get(host);
		return (gate != null) ? gate.used() : 0;
	}

	/** Requests waiting for a permit of {@code host} now. */
	public int waiting(String host) {
		Gate gate = this.hosts.get(host);
		return (gate != null) ? gate.waiting() : 0;
	}

	/** Requests in flight in the whole process now. */
	public int inFlight() {
		return this.process.used();
	}

	private Gate gate(String host) {
		return this.hosts.computeIfAbsent(host, (name) -> new Gate(this.hostConcurrency.applyAsInt(name)));
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

	/**
	 * One request's way through the two gates: the host's first, then the process's, so that every
	 * request takes them in the same order and none waits for a permit another waiter holds while
	 * waiting for one it holds. State changes happen under the ticket's own lock; gate operations and
	 * the sink's completion outside it.
	 */
	private static final class Ticket implements Permit {

		private final Gate host;

		private final Gate process;

		private final MonoSink<Permit> sink;

		private @Nullable Waiter hostWaiter;

		private @Nullable Waiter processWaiter;

		private boolean hostHeld;

		private boolean processHeld;

		private boolean cancelled;

		private boolean released;

		Ticket(Gate host, Gate process, MonoSink<Permit> sink) {
			this.host = host;
			this.process = process;
			this.sink = sink;
		}

		void start() {
			this.sink.onCancel(this::cancel);
			Waiter waiter = this.host.enter(this::hostGranted);
			if (waiter != null && !park(waiter, true)) {
				leave(this.host, waiter, false);
			}
		}

		private void hostGranted() {
			synchronized (this) {
				this.hostHeld = true;
				this.hostWaiter = null;
				if (this.cancelled) {
					this.hostHeld = false;
				}
			}
			if (!this.hostHeld) {
				this.host.release();
				return;
			}
			Waiter waiter = this.process.enter(this::processGranted);
			if (waiter != null && !park(waiter, false)) {
				leave(this.process, waiter, true);
			}
		}

		private void processGranted() {
			boolean cancelledMeanwhile;
			synchronized (this) {
				this.processHeld = true;
				this.processWaiter = null;
				cancelledMeanwhile = this.cancelled;
			}
			if (cancelledMeanwhile) {
				release();
				return;
			}
			this.sink.success(this);
		}

		/**
		 * Records the queue entry for {@link #cancel}; answers false if cancellation came first, and
		 * the caller must take the entry out itself.
		 */
		private synchronized boolean park(Waiter waiter, boolean atHost) {
			if (atHost ? this.hostHeld : this.processHeld) {
				// Granted before the entry could be recorded: nothing to take out later.
				return true;
			}
			if (this.cancelled) {
				return false;
			}
			if (atHost) {
				this.hostWaiter = waiter;
			}
			else {
				this.processWaiter = waiter;
			}
			return true;
		}

		/**
		 * Takes a waiter out of its gate's queue. If it was granted meanwhile, its callback runs (or
		 * ran) and, seeing the cancellation, gives the permit back itself.
		 */
		private void leave(Gate gate, Waiter waiter, boolean holdingHost) {
			if (gate.leave(waiter) && holdingHost) {
				synchronized (this) {
					this.hostHeld = false;
				}
				this.host.release();
			}
		}

		private void cancel() {
			Waiter atHost;
			Waiter atProcess;
			boolean granted;
			synchronized (this) {
				if (this.cancelled) {
					return;
				}
				this.cancelled = true;
				atHost = this.hostWaiter;
				atProcess = this.processWaiter;
				this.hostWaiter = null;
				this.processWaiter = null;
				granted = this.processHeld;
			}
			if (atHost != null) {
				leave(this.host, atHost, false);
			}
			if (atProcess != null) {
				leave(this.process, atProcess, true);
			}
			if (granted) {
				// The permit may have been handed over as the subscriber went away, and dropped.
				release();
			}
		}

		@Override
		public void release() {
			boolean host;
			boolean process;
			synchronized (this) {
				if (this.released) {
					return;
				}
				this.released = true;
				host = this.hostHeld;
				process = this.processHeld;
				this.hostHeld = false;
				this.processHeld = false;
			}
			if (process) {
				this.process.release();
			}
			if (host) {
				this.host.release();
			}
		}

	}

}
