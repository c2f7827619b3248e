package io.fanout.scheduler.callbacks;

import java.util.UUID;

import io.fanout.scheduler.CallbackDelivery;
import io.r2dbc.spi.Readable;

import static io.fanout.scheduler.r2dbc.Sql.instant;
import static io.fanout.scheduler.r2dbc.Sql.required;
import static io.fanout.scheduler.r2dbc.Sql.requiredInstant;

/** Deliveries as rows: the one place that maps them. */
final class DeliveryRows {

	static final String PENDING = CallbackDelivery.Status.PENDING.name();

	static final String DELIVERED = CallbackDelivery.Status.DELIVERED.name();

	static final String FAILED = CallbackDelivery.Status.FAILED.name();

	/** What {@link #delivery} reads, of {@code callback_deliveries d}. */
	static final String COLUMNS = "d.id, d.job_id, d.owner, d.event, d.seq, d.status, d.attempts, d.created_at, "
			+ "d.next_attempt_at, d.first_attempt_at, d.last_attempt_at, d.delivered_at, d.last_status_code, "
			+ "d.last_error";

	private DeliveryRows() {
	}

	static CallbackDelivery delivery(Readable row) {
		CallbackDelivery.Status status = CallbackDelivery.Status.valueOf(required(row, "status", String.class));
		return new CallbackDelivery(required(row, "id", UUID.class), required(row, "job_id", UUID.class),
				required(row, "event", String.class), status, required(row, "attempts", Integer.class),
				row.get("last_status_code", Integer.class), row.get("last_error", String.class),
				requiredInstant(row, "created_at"),
				(status == CallbackDelivery.Status.PENDING) ? instant(row, "next_attempt_at") : null,
				instant(row, "first_attempt_at"), instant(row, "last_attempt_at"), instant(row, "delivered_at"));
	}

}
