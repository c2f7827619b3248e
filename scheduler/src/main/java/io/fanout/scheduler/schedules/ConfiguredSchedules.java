package io.fanout.scheduler.schedules;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.ScheduleDeclaration;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleSpecFactory;
import io.fanout.scheduler.r2dbc.TimeOrderedIds;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The schedules declared under {@code fanout.scheduler.schedules.<name>}, checked when this is built
 * (a bad declaration fails the startup, naming the property) and upserted into the store by every
 * replica: created once, replaced when the declaration changed, otherwise left as they are.
 */
public final class ConfiguredSchedules {

	private static final Log logger = LogFactory.getLog(ConfiguredSchedules.class);

	private static final String PREFIX = "fanout.scheduler.schedules.";

	private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

	private final List<Configured> schedules;

	private final ScheduleStore store;

	private final Clock clock;

	private final TimeOrderedIds ids;

	/**
	 * @param declarations the declarations by schedule name
	 * @param specs checks them as any schedule is checked
	 * @throws IllegalArgumentException naming the property of every invalid part of the first invalid
	 * declaration
	 */
	public ConfiguredSchedules(Map<String, ScheduleDeclaration> declarations, ScheduleSpecFactory specs,
			ScheduleStore store, Clock clock) {
		List<Configured> schedules = new ArrayList<>();
		declarations.forEach((name, declaration) -> schedules.add(configured(name, declaration, specs)));
		this.schedules = List.copyOf(schedules);
		this.store = store;
		this.clock = clock;
		this.ids = new TimeOrderedIds(clock);
	}

	/** Whether configuration declares no schedule. */
	public boolean isEmpty() {
		return this.schedules.isEmpty();
	}

	/**
	 * Creates or replaces the declared schedules whose declaration is not the one last applied.
	 * @return how many this call created or replaced
	 */
	public Mono<Integer> upsert() {
		return Flux.fromIterable(this.schedules).concatMap((configured) -> {
			Instant now = this.clock.instant();
			ScheduleSpec spec = configured.spec();
			NewSchedule schedule = new NewSchedule(this.ids.next(), configured.owner(), spec,
					spec.enabled() ? ScheduleFiring.first(spec, now) : null, now);
			return this.store.upsertDeclared(schedule).doOnNext((upserted) -> {
				if (upserted.changed()) {
					logger.info("Applied the declaration of schedule '" + spec.name() + "' of " + configured.owner()
							+ " (" + upserted.schedule().schedule().id() + ")");
				}
			});
		}).filter(ScheduleStore.Upserted::changed).count().map(Long::intValue);
	}

	private static Configured configured(String name, ScheduleDeclaration declaration, ScheduleSpecFactory specs) {
		String owner = declaration.owner();
		List<String> problems = new ArrayList<>();
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			problems.add(PREFIX + name + ".owner: the tenant owning the schedule, 1 to 200 characters, is required");
		}
		ScheduleSpec spec = null;
		try {
			spec = specs.create(declaration.toDraft(name));
		}
		catch (InvalidScheduleException ex) {
			// The messages say it all; the properties are named as configuration spells them.
			ex.violations()
				.forEach((violation) -> problems.add(PREFIX + name + "." + kebabCase(violation.field()) + ": "
						+ violation.message()));
		}
		if (!problems.isEmpty() || spec == null) {
			throw new IllegalArgumentException(String.join("; ", problems));
		}
		return new Configured(owner.strip(), spec);
	}

	/** {@code trigger.fixedRate} as a property: {@code trigger.fixed-rate}. */
	private static String kebabCase(String field) {
		return CAMEL_HUMP.matcher(field)
			.replaceAll((hump) -> hump.group(1) + "-" + hump.group(2).toLowerCase(Locale.ROOT));
	}

	private record Configured(String owner, ScheduleSpec spec) {
	}

}
