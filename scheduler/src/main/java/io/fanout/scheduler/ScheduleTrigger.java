package io.fanout.scheduler;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.support.CronExpression;

/**
 * When a schedule fires: a {@link Cron} expression in a time zone, or a {@link FixedRate}.
 */
public sealed interface ScheduleTrigger permits ScheduleTrigger.Cron, ScheduleTrigger.FixedRate {

	/** The zone of a cron trigger that names none. */
	ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

	/**
	 * The first fire time strictly after {@code after}, or null if there is none (a cron expression
	 * such as February 30th).
	 */
	@Nullable Instant next(Instant after);

	/**
	 * Where a schedule stands when it fires at {@code now} for its fire time {@code due}: how many
	 * fire times of {@code (due, now]} it missed (a node was down, or the ticker late), and the first
	 * fire time after {@code now}. Missed times are not fired: a late schedule fires once.
	 */
	CatchUp catchUp(Instant due, Instant now);

	/**
	 * The outcome of {@link #catchUp}.
	 *
	 * @param missed fire times passed without a fire, counted up to {@value #MAX_COUNTED}
	 * @param next the next fire time, after now; null if there is none
	 */
	record CatchUp(long missed, @Nullable Instant next) {

		/**
		 * Most missed fire times counted at once: a cron of every second down for a day counts 86,400; one
		 * down for longer counts this many, which bounds the work of a late fire to a fraction of a second.
		 */
		public static final long MAX_COUNTED = 100_000;

	}

	/** A cron trigger in UTC; see {@link Cron}. */
	static Cron cron(String expression) {
		return new Cron(expression, DEFAULT_ZONE);
	}

	/** A cron trigger in a time zone; see {@link Cron}. */
	static Cron cron(String expression, ZoneId zone) {
		return new Cron(expression, zone);
	}

	/** A fixed-rate trigger; see {@link FixedRate}. */
	static FixedRate fixedRate(Duration period) {
		return new FixedRate(period);
	}

	/**
	 * The time zone of this id ({@code Europe/Paris}, {@code UTC}, {@code +02:00}).
	 * @throws InvalidScheduleException for an unknown zone, as field {@code trigger.timezone}
	 */
	static ZoneId zone(String id) {
		try {
			return ZoneId.of(id.strip());
		}
		catch (DateTimeException ex) {
			throw new InvalidScheduleException("trigger.timezone",
					"'" + id + "' is not a time zone; use a region such as Europe/Paris, or UTC");
		}
	}

	/**
	 * Fires at the times of a Spring {@link CronExpression} (six fields: second, minute, hour, day of
	 * month, month, day of week; or a macro such as {@code @daily}), read on the wall clock of
	 * {@code zone}. Daylight saving time follows the wall clock: a time skipped when clocks go forward
	 * does not fire; a time that happens twice when they go back fires once, the first time.
	 *
	 * @param expression the cron expression
	 * @param zone the time zone its times are read in
	 */
	record Cron(String expression, ZoneId zone) implements ScheduleTrigger {

		/** Longest expression accepted. */
		public static final int MAX_LENGTH = 200;

		public Cron {
			if (expression == null || expression.isBlank()) {
				throw new InvalidScheduleException("trigger.cron", "a cron expression is required");
			}
			expression = expression.strip();
			if (expression.length() > MAX_LENGTH) {
				throw new InvalidScheduleException("trigger.cron",
						"a cron expression is at most " + MAX_LENGTH + " characters");
			}
			parse(expression);
			if (zone == null) {
				zone = DEFAULT_ZONE;
			}
		}

		@Override
		public @Nullable Instant next(Instant after) {
			ZonedDateTime next = next(parse(this.expression), ZonedDateTime.ofInstant(after, this.zone));
			return (next != null) ? next.toInstant() : null;
		}

		@Override
		public CatchUp catchUp(Instant due, Instant now) {
			CronExpression cron = parse(this.expression);
			ZonedDateTime last = ZonedDateTime.ofInstant(due, this.zone);
			ZonedDateTime end = ZonedDateTime.ofInstant(now, this.zone);
			long missed = 0;
			ZonedDateTime next = next(cron, last);
			while (next != null && !next.isAfter(end)) {
				if (++missed == CatchUp.MAX_COUNTED) {
					next = next(cron, end);
					break;
				}
				next = next(cron, next);
			}
			return new CatchUp(missed, (next != null) ? next.toInstant() : null);
		}

		private @Nullable ZonedDateTime next(CronExpression cron, ZonedDateTime after) {
			ZonedDateTime next = cron.next(after);
			// Spring fires a wall-clock time that happens twice twice; its second pass is skipped.
			while (next != null && isSecondPass(next)) {
				next = cron.next(next);
			}
			return next;
		}

		private boolean isSecondPass(ZonedDateTime time) {
			ZoneOffsetTransition transition = this.zone.getRules().getTransition(time.toLocalDateTime());
			return transition != null && transition.isOverlap() && time.getOffset().equals(transition.getOffsetAfter());
		}

		private static CronExpression parse(String expression) {
			try {
				return CronExpression.parse(expression);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidScheduleException("trigger.cron", "'" + expression + "' is not a cron expression of "
						+ "six fields (second minute hour day-of-month month day-of-week): " + ex.getMessage());
			}
		}

	}

	/**
	 * Fires every {@code period}, on a fixed grid from the first fire: a late fire does not shift the
	 * ones after it. Time zones do not matter to it.
	 *
	 * @param period time between fires, in whole milliseconds
	 */
	record FixedRate(Duration period) implements ScheduleTrigger {

		public FixedRate {
			if (period == null || period.toMillis() < 1) {
				throw new InvalidScheduleException("trigger.fixedRate", "a fixed rate must be positive");
			}
			period = Duration.ofMillis(period.toMillis());
		}

		@Override
		public Instant next(Instant after) {
			return after.plus(this.period);
		}

		@Override
		public CatchUp catchUp(Instant due, Instant now) {
			long elapsed = Math.max(0, Duration.between(due, now).toMillis());
			long missed = elapsed / this.period.toMillis();
			// The grid goes on from the fire that was due: due + (missed + 1) periods is after now.
			return new CatchUp(missed, due.plus(this.period.multipliedBy(missed + 1)));
		}

	}

}
