package io.fanout.scheduler.callbacks;

import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.fanout.scheduler.Callback;
import io.fanout.scheduler.JobStatus;
import io.fanout.scheduler.r2dbc.Database;
import io.fanout.scheduler.r2dbc.TimeOrderedIds;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

import static io.fanout.scheduler.r2dbc.Sql.bind;
import static io.fanout.scheduler.r2dbc.Sql.micros;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.timestamp;

/**
 * The writes of the callback outbox that belong to a job's own transactions: the callback kept with
 * a new job, the delivery of its end written with its terminal status, and progress deliveries with
 * the results that reach their count. Each runs inside the caller's {@link Database#transactional}
 * work, so that an event is stored if and only if the change it reports is.
 */
public final class CallbackOutbox {

	private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
	};

	private final DatabaseClient sql;

	private final JsonMapper json = JsonMapper.builder().build();

	private final TimeOrderedIds ids = new TimeOrderedIds(Clock.systemUTC());

	public CallbackOutbox(Database db) {
		this.sql = db.client();
		// Jackson builds its serializers on first use under a lock: here, not on an event loop.
		readHeaders(writeHeaders(Map.of("warm", "up")));
	}

	/** Keeps a new job's callback. */
	public Mono<Void> save(UUID jobId, Callback callback) {
		GenericExecuteSpec insert = this.sql.sql("INSERT INTO job_callbacks (job_id, url, on_completed, on_failed, "
				+ "on_cancelled, progress_every, headers) VALUES (:id, :url, :completed, :failed, :cancelled, "
				+ ":every, :headers)")
			.bind("id", jobId)
			.bind("url", callback.url().toString())
			.bind("completed", callback.events().contains(Callback.Event.COMPLETED))
			.bind("failed", callback.events().contains(Callback.Event.FAILED))
			.bind("cancelled", callback.events().contains(Callback.Event.CANCELLED))
			.bind("headers", writeHeaders(callback.headers()));
		return bind(insert, "every", callback.progressEvery(), Integer.class).then();
	}

	/** Writes the delivery of the job's end in {@code status}, if its callback asks for that event. */
	public Mono<Void> ended(UUID jobId, JobStatus status, Instant now) {
		Callback.Event event = Callback.Event.of(status);
		String column = "on_" + event.name().toLowerCase(Locale.ROOT);
		return this.sql
			.sql("SELECT j.owner FROM job_callbacks c JOIN jobs j ON j.id = c.job_id WHERE c.job_id = :id AND c."
					+ column + " = TRUE")
			.bind("id", jobId)
			.map((row) -> required(row, "owner", String.class))
			.one()
			.flatMap((owner) -> insert(jobId, owner, event.type(), 0, now));
	}

	/**
	 * Writes the progress deliveries that {@code added} results, on top of {@code before}, reach: at
	 * most one per batch, for the last count passed; none unless the job's callback asks for progress.
	 */
	public Mono<Void> progressed(UUID jobId, int before, int added, Instant now) {
		if (added < 1) {
			return Mono.empty();
		}
		return this.sql
			.sql("SELECT j.owner, c.progress_every FROM job_callbacks c JOIN jobs j ON j.id = c.job_id "
					+ "WHERE c.job_id = :id AND c.progress_every IS NOT NULL")
			.bind("id", jobId)
			.map((row) -> Map.entry(required(row, "owner", String.class), required(row, "progress_every", Integer.class)))
			.one()
			.flatMap((found) -> {
				int every = found.getValue();
				int reached = ((before + added) / every) * every;
				return (reached > before && reached > 0)
						? insert(jobId, found.getKey(), Callback.PROGRESS_TYPE, reached, now) : Mono.<Void>empty();
			});
	}

	private Mono<Void> insert(UUID jobId, String owner, String type, int seq, Instant now) {
		Instant at = micros(now);
		return this.sql
			.sql("INSERT INTO callback_deliveries (id, job_id, owner, event, seq, status, attempts, created_at, "
					+ "next_attempt_at) VALUES (:id, :job, :owner, :event, :seq, :pending, 0, :now, :now)")
			.bind("id", this.ids.next())
			.bind("job", jobId)
			.bind("owner", owner)
			.bind("event", type)
			.bind("seq", seq)
			.bind("pending", DeliveryRows.PENDING)
			.bind("now", timestamp(at))
			.then();
	}

	String writeHeaders(Map<String, String> headers) {
		return this.json.writeValueAsString(headers);
	}

	Map<String, String> readHeaders(@Nullable String value) {
		return (value == null) ? Map.of() : this.json.readValue(value, HEADERS);
	}

}
