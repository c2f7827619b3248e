package io.fanout.scheduler.rates;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.fanout.fetch.admission.SlotLeases;
import io.fanout.scheduler.r2dbc.Database;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Rate slots shared through PostgreSQL: one row per key holds its first free slot, and a lease
 * moves it on by the slots taken, in one statement, at the database's clock. Two replicas leasing at
 * once are serialized by the row's lock, so their slots never overlap; each replica measures its
 * wait from the database's answer, so clocks of replicas need not agree. Rows unused for an hour are
 * deleted now and then.
 */
public final class PostgresSlotLeases implements SlotLeases {

	private static final Log logger = LogFactory.getLog(PostgresSlotLeases.class);

	/** Leases between two deletions of unused rows. */
	private static final long PURGE_EVERY = 10_000;

	private static final int KNOWN_KEYS = 10_000;

	private static final String LEASE = "WITH now AS (SELECT clock_timestamp() AS t) "
			+ "UPDATE rate_slots r SET next_slot = GREATEST(r.next_slot, now.t + make_interval(secs => :lead)) "
			+ "+ make_interval(secs => :seconds) FROM now WHERE r.rate_key = :key "
			+ "RETURNING r.next_slot - make_interval(secs => :seconds) AS first_slot, now.t AS leased_at";

	private final DatabaseClient sql;

	private final Set<String> known = ConcurrentHashMap.newKeySet();

	private final AtomicLong leases = new AtomicLong();

	public PostgresSlotLeases(Database database) {
		this.sql = database.client();
	}

	@Override
	public Mono<Lease> lease(String key, Duration interval, int count, Duration lead) {
		Mono<Lease> lease = this.sql.sql(LEASE)
			.bind("key", key)
			.bind("seconds", interval.toNanos() * (double) count / 1e9)
			.bind("lead", lead.toNanos() / 1e9)
			.map((row) -> new Lease(instant(row.get("first_slot", OffsetDateTime.class)),
					instant(row.get("leased_at", OffsetDateTime.class))))
			.one();
		Mono<Void> exists = this.known.contains(key) ? Mono.empty() : this.sql
			.sql("INSERT INTO rate_slots (rate_key, next_slot) VALUES (:key, clock_timestamp()) "
					+ "ON CONFLICT (rate_key) DO NOTHING")
			.bind("key", key)
			.then()
			.doOnSuccess((done) -> remember(key));
		if (this.leases.incrementAndGet() % PURGE_EVERY == 0) {
			purge();
		}
		return exists.then(lease);
	}

	private static Instant instant(OffsetDateTime time) {
		if (time == null) {
			throw new IllegalStateException("the database returned no slot time");
		}
		return time.toInstant();
	}

	private void remember(String key) {
		if (this.known.size() >= KNOWN_KEYS) {
			this.known.clear();
		}
		this.known.add(key);
	}

	private void purge() {
		this.sql.sql("DELETE FROM rate_slots WHERE next_slot < clock_timestamp() - INTERVAL '1 hour'")
			.fetch()
			.rowsUpdated()
			.doOnNext((deleted) -> {
				if (deleted > 0) {
					logger.debug("Deleted " + deleted + " unused rate slot rows");
				}
			})
			.onErrorResume((ex) -> Mono.empty())
			.subscribe();
		this.known.clear();
	}

}
