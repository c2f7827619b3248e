package io.fanout.scheduler.callbacks;

import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.fanout.scheduler.Callback;
import io.fanout.scheduler.CallbackDelivery;
import io.fanout.scheduler.r2dbc.Database;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.r2dbc.Sql.bind;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * The callback outbox as its delivery worker and the API see it, for H2 and PostgreSQL alike. Due
 * deliveries are claimed under a lease, so that one instance at a time sends each:
 * <ul>
 * <li>PostgreSQL: one {@code UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id};
 * concurrent claimers skip each other's rows;</li>
 * <li>H2 (one instance): candidates first, then each taken with an {@code UPDATE} that only succeeds
 * while it is still unleased.</li>
 * </ul>
 * Every write of an attempt names the lease owner: an instance whose lease ran out cannot overwrite
 * what the one that took over recorded.
 */
public final class DeliveryStore {

	private static final String CLAIMABLE = "status = :pending AND next_attempt_at <= :now "
			+ "AND (lease_expires_at IS NULL OR lease_expires_at < :now)";

	private static final String TAKE = "UPDATE callback_deliveries SET lease_owner = :node, lease_expires_at = :until "
			+ "WHERE ";

	private final Database db;

	private final DatabaseClient sql;

	private final CallbackOutbox outbox;

	public DeliveryStore(Database db) {
		this.db = db;
		this.sql = db.client();
		this.outbox = new CallbackOutbox(db);
	}

	/** Claims up to {@code max} due deliveries for {@code node} until {@code leaseUntil}, oldest due first. */
	Flux<ClaimedDelivery> claim(String node, int max, Instant now, Instant leaseUntil) {
		if (max < 1) {
			return Flux.empty();
		}
		Flux<UUID> taken = switch (this.db.dialect()) {
			case POSTGRESQL -> take(this.sql.sql(TAKE + "id IN (SELECT id FROM callback_deliveries WHERE " + CLAIMABLE
					+ " ORDER BY next_attempt_at LIMIT " + max + " FOR UPDATE SKIP LOCKED) RETURNING id"), node, now,
					leaseUntil)
				.map((row) -> required(row, "id", UUID.class))
				.all();
			case H2 -> this.sql
				.sql("SELECT id FROM callback_deliveries WHERE " + CLAIMABLE + " ORDER BY next_attempt_at LIMIT " + max)
				.bind("pending", DeliveryRows.PENDING)
				.bind("now", timestamp(micros(now)))
				.map((row) -> required(row, "id", UUID.class))
				.all()
				.collectList()
				.flatMapMany(Flux::fromIterable)
				.concatMap((id) -> take(this.sql.sql(TAKE + "id = :id AND " + CLAIMABLE), node, now, leaseUntil)
					.bind("id", id)
					.fetch()
					.rowsUpdated()
					.filter((count) -> count == 1)
					.map((count) -> id));
		};
		return this.db.run(taken.collectList()
			.flatMapMany((ids) -> ids.isEmpty() ? Flux.empty()
					: this.sql
						.sql("SELECT " + DeliveryRows.COLUMNS + ", d.body, c.url, c.headers FROM callback_deliveries d "
								+ "JOIN job_callbacks c ON c.job_id = d.job_id "
								+ "WHERE d.id IN (:ids) AND d.lease_owner = :node ORDER BY d.id")
						.bind("ids", ids)
						.bind("node", node)
						.map((row) -> new ClaimedDelivery(DeliveryRows.delivery(row), required(row, "owner", String.class),
								URI.create(required(row, "url", String.class)),
								this.outbox.readHeaders(row.get("headers", String.class)), row.get("body", String.class)))
						.all()));
	}

	private static GenericExecuteSpec take(GenericExecuteSpec spec, String node, Instant now, Instant leaseUntil) {
		return spec.bind("node", node)
			.bind("until", timestamp(micros(leaseUntil)))
			.bind("pending", DeliveryRows.PENDING)
			.bind("now", timestamp(micros(now)));
	}

	/** Keeps the body rendered at a delivery's first attempt. @return false if the lease was lost */
	Mono<Boolean> keepBody(UUID id, String node, String body) {
		return this.db.run(this.sql
			.sql("UPDATE callback_deliveries SET body = :body WHERE id = :id AND lease_owner = :node AND body IS NULL")
			.bind("body", body)
			.bind("id", id)
			.bind("node", node)
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	/**
	 * Records an attempt and gives the lease up: delivered, failed for good, or pending again until
	 * {@code nextAttemptAt}.
	 * @param periodStart the first attempt's time, kept for the retry period
	 * @return false if the lease was lost (nothing written)
	 */
	Mono<Boolean> recordAttempt(UUID id, String node, CallbackDelivery.Status status, Instant now,
			Instant periodStart, @Nullable Instant nextAttemptAt, @Nullable Integer statusCode,
			@Nullable String error) {
		Instant at = micros(now);
		GenericExecuteSpec update = this.sql
			.sql("UPDATE callback_deliveries SET status = :status, attempts = attempts + 1, last_attempt_at = :now, "
					+ "first_attempt_at = :first, next_attempt_at = :next, delivered_at = :delivered, "
					+ "last_status_code = :code, last_error = :error, lease_owner = NULL, lease_expires_at = NULL "
					+ "WHERE id = :id AND lease_owner = :node AND status = :pending")
			.bind("status", status.name())
			.bind("now", timestamp(at))
			.bind("first", timestamp(micros(periodStart)))
			.bind("next", timestamp(micros((nextAttemptAt != null) ? nextAttemptAt : at)))
			.bind("id", id)
			.bind("node", node)
			.bind("pending", DeliveryRows.PENDING);
		update = bind(update, "delivered", (status == CallbackDelivery.Status.DELIVERED) ? timestamp(at) : null,
				java.time.OffsetDateTime.class);
		update = bind(update, "code", statusCode, Integer.class);
		update = bind(update, "error", (error != null) ? truncate(error) : null, String.class);
		return this.db.run(update.fetch().rowsUpdated().map((count) -> count == 1));
	}

	/** The job's latest deliveries, newest first. */
	public Mono<List<CallbackDelivery>> list(String owner, UUID jobId, int limit) {
		return this.db.run(this.sql
			.sql("SELECT " + DeliveryRows.COLUMNS + " FROM callback_deliveries d WHERE d.job_id = :job "
					+ "AND d.owner = :owner ORDER BY d.id DESC LIMIT " + limit)
			.bind("job", jobId)
			.bind("owner", owner)
			.map(DeliveryRows::delivery)
			.all()
			.collectList());
	}

	/** One delivery of the owner's job. */
	public Mono<CallbackDelivery> find(String owner, UUID jobId, UUID id) {
		return this.db.run(this.sql
			.sql("SELECT " + DeliveryRows.COLUMNS + " FROM callback_deliveries d WHERE d.id = :id AND d.job_id = :job "
					+ "AND d.owner = :owner")
			.bind("id", id)
			.bind("job", jobId)
			.bind("owner", owner)
			.map(DeliveryRows::delivery)
			.one());
	}

	/** The job's callback, as kept for delivery. */
	public Mono<Callback> callback(UUID jobId) {
		return this.db.run(this.sql
			.sql("SELECT url, on_completed, on_failed, on_cancelled, progress_every, headers FROM job_callbacks "
					+ "WHERE job_id = :id")
			.bind("id", jobId)
			.map((row) -> {
				Set<Callback.Event> events = EnumSet.noneOf(Callback.Event.class);
				if (required(row, "on_completed", Boolean.class)) {
					events.add(Callback.Event.COMPLETED);
				}
				if (required(row, "on_failed", Boolean.class)) {
					events.add(Callback.Event.FAILED);
				}
				if (required(row, "on_cancelled", Boolean.class)) {
					events.add(Callback.Event.CANCELLED);
				}
				return new Callback(URI.create(required(row, "url", String.class)), events,
						row.get("progress_every", Integer.class), this.outbox.readHeaders(row.get("headers", String.class)));
			})
			.one());
	}

	/**
	 * Queues the delivery again, due now, with a fresh retry period, unless it is being sent right
	 * now (then it stays as it is). @return whether it was queued again
	 */
	public Mono<Boolean> requeue(String owner, UUID id, Instant now) {
		return this.db.run(this.sql
			.sql("UPDATE callback_deliveries SET status = :pending, next_attempt_at = :now, first_attempt_at = NULL, "
					+ "delivered_at = NULL WHERE id = :id AND owner = :owner "
					+ "AND (lease_expires_at IS NULL OR lease_expires_at < :now)")
			.bind("pending", DeliveryRows.PENDING)
			.bind("now", timestamp(micros(now)))
			.bind("id", id)
			.bind("owner", owner)
			.fetch()
			.rowsUpdated()
			.map((count) -> count == 1));
	}

	private static String truncate(String text) {
		return (text.length() <= 1000) ? text : text.substring(0, 997) + "...";
	}

}
