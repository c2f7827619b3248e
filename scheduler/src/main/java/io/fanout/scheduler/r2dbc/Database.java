package io.fanout.scheduler.r2dbc;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.r2dbc.spi.ConnectionFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The database every store works on: one {@link DatabaseClient}, reactive transactions on the same
 * connection factory, the {@link Dialect}, and where the driver's work runs. Stores take it, never
 * each other, so that statements of several stores share a transaction simply by running inside one
 * {@link #transactional} call.
 * <p>
 * r2dbc-h2 runs the embedded database in the calling thread, file I/O and lock waits included, so on
 * H2 a unit of work is moved to a small pool of threads of its own and its signals back to Reactor's
 * parallel threads; event loops never run H2. That pool never interrupts its threads on
 * cancellation, which would close H2's file channels. A unit of work started inside another (a
 * store's statement inside a service's transaction) stays where the outer one runs: hopping threads
 * in the middle of a transaction would let its commit run on a thread that must not block.
 * PostgreSQL's driver is non-blocking and runs where it is called.
 */
public final class Database implements AutoCloseable {

	/** Marks a subscription that already runs where the driver may run. */
	private static final Object ON_DRIVER = new Object();

	private static final Context MARKED = Context.of(ON_DRIVER, Boolean.TRUE);

	private final DatabaseClient client;

	private final TransactionalOperator transactions;

	private final Dialect dialect;

	private final @Nullable ExecutorService driverThreads;

	private final @Nullable Scheduler driverScheduler;

	/** The database behind this connection factory, with a client and transactions of its own. */
	public Database(ConnectionFactory connectionFactory) {
		this(DatabaseClient.create(connectionFactory), connectionFactory);
	}

	/** The database behind this connection factory, using this client, which must be bound to it. */
	public Database(DatabaseClient client, ConnectionFactory connectionFactory) {
		this.client = client;
		this.transactions = TransactionalOperator.create(new R2dbcTransactionManager(connectionFactory));
		this.dialect = Dialect.of(connectionFactory);
		if (this.dialect.runsInCallingThread()) {
			this.driverThreads = driverThreads();
			// Not a Reactor scheduler: those interrupt a cancelled task's thread, and an interrupt in the
			// middle of H2's file I/O closes the database.
			this.driverScheduler = Schedulers.fromExecutor(this.driverThreads, true);
		}
		else {
			this.driverThreads = null;
			this.driverScheduler = null;
		}
	}

	/** The client, for building statements; run them through {@link #run} or {@link #transactional}. */
	public DatabaseClient client() {
		return this.client;
	}

	/** Which database this is. */
	public Dialect dialect() {
		return this.dialect;
	}

	/** Runs {@code work} where the driver may run; inside another unit of work, where that one runs. */
	public <T> Mono<T> run(Mono<T> work) {
		Scheduler driver = this.driverScheduler;
		if (driver == null) {
			return work;
		}
		return Mono.deferContextual((context) -> context.hasKey(ON_DRIVER) ? work
				: work.subscribeOn(driver).publishOn(Schedulers.parallel()).contextWrite(MARKED));
	}

	/** {@link #run(Mono)} for many values. */
	public <T> Flux<T> run(Flux<T> work) {
		Scheduler driver = this.driverScheduler;
		if (driver == null) {
			return work;
		}
		return Flux.deferContextual((context) -> context.hasKey(ON_DRIVER) ? work
				: work.subscribeOn(driver).publishOn(Schedulers.parallel()).contextWrite(MARKED));
	}

	/**
	 * Runs {@code work} in one transaction, where the driver may run; inside a transaction already
	 * under way, as part of it.
	 */
	public <T> Mono<T> transactional(Mono<T> work) {
		return run(this.transactions.transactional(work));
	}

	@Override
	public void close() {
		if (this.driverThreads != null) {
			this.driverThreads.shutdown();
		}
	}

	/**
	 * Four H2 threads. Their queue is lock-free and the threads are started up front, so handing over
	 * a task from an event loop never parks: a {@code LinkedBlockingQueue} takes a lock that can, and
	 * starting a thread takes the pool's lock.
	 */
	private static ExecutorService driverThreads() {
		AtomicInteger count = new AtomicInteger();
		ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedTransferQueue<>(),
				(task) -> {
					Thread thread = new Thread(task, "fanout-h2-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		executor.prestartAllCoreThreads();
		return executor;
	}

}
