package io.fanout.scheduler.schedules;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import io.fanout.fetch.FetchPolicy;
import io.fanout.fetch.FetchRequest;
import io.fanout.fetch.InvalidFetchRequestException;
import io.fanout.fetch.RetryPolicy;
import io.fanout.scheduler.DeclaredSchedule;
import io.fanout.scheduler.InvalidJobSpecException;
import io.fanout.scheduler.InvalidScheduleException;
import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleDeclarations;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.SchedulerProperties;
import io.fanout.scheduler.jobs.JobIds;
import io.fanout.scheduler.store.NewSchedule;
import io.fanout.scheduler.store.ScheduleStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The schedules declared under {@code fanout.schedules.<name>}, checked when this is built (a bad
 * declaration fails the startup, naming the property) and upserted into the store by every replica:
 * created once, replaced when the declaration changed, otherwise left as they are.
 */
public final class DeclaredSchedules {

	private static final Log logger = LogFactory.getLog(DeclaredSchedules.class);

	private static final String PREFIX = "fanout.schedules.";

	private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

	private final List<Declared> schedules;

	private final ScheduleStore store;

	private final Clock clock;

	private final JobIds ids;

	/**
	 * @param defaults the fetch policy of jobs for what a template leaves out
	 * @param maxBodySize the largest response body a template may ask for
	 * @throws IllegalArgumentException naming the property of the first invalid declaration
	 */
	public DeclaredSchedules(ScheduleDeclarations declarations, FetchPolicy defaults, long maxBodySize,
			SchedulerProperties properties, ScheduleStore store, Clock clock) {
		List<Declared> schedules = new ArrayList<>();
		declarations.schedules().forEach((name, declaration) -> {
			try {
				schedules.add(declared(name, declaration, defaults, maxBodySize, properties, clock.instant()));
			}
			catch (InvalidScheduleException ex) {
				// The message says it all; the property is named as configuration spells it.
				throw new IllegalArgumentException(PREFIX + name + "." + kebabCase(ex.field()) + ": " + ex.getMessage());
			}
		});
		this.schedules = List.copyOf(schedules);
		this.store = store;
		this.clock = clock;
		this.ids = new JobIds(clock);
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
		return Flux.fromIterable(this.schedules).concatMap((declared) -> {
			Instant now = this.clock.instant();
			ScheduleSpec spec = declared.spec();
			NewSchedule schedule = new NewSchedule(this.ids.next(), declared.owner(), spec,
					spec.enabled() ? Firing.first(spec, now) : null, now);
			return this.store.upsertDeclared(schedule).doOnNext((upserted) -> {
				if (upserted.changed()) {
					logger.info("Applied the declaration of schedule '" + spec.name() + "' of " + declared.owner()
							+ " (" + upserted.schedule().schedule().id() + ")");
				}
			});
		}).filter(ScheduleStore.Upserted::changed).count().map(Long::intValue);
	}

	private static Declared declared(String name, DeclaredSchedule declaration, FetchPolicy defaults,
			long maxBodySize, SchedulerProperties properties, Instant now) {
		String owner = declaration.owner();
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new InvalidScheduleException("owner", "the tenant owning the schedule, 1 to 200 characters, "
					+ "is required");
		}
		if (declaration.template() == null) {
			throw new InvalidScheduleException("template", "a schedule needs a job template");
		}
		ScheduleSpec spec = new ScheduleSpec(name, trigger(declaration.trigger()),
				template(declaration.template(), defaults, maxBodySize), declaration.overlap(), declaration.enabled(),
				declaration.jitter());
		DefaultScheduleService.check(spec, now, properties);
		return new Declared(owner.strip(), spec);
	}

	private static ScheduleTrigger trigger(DeclaredSchedule.@Nullable Trigger trigger) {
		String cron = (trigger != null) ? trigger.cron() : null;
		Duration fixedRate = (trigger != null) ? trigger.fixedRate() : null;
		if (trigger == null || (cron == null) == (fixedRate == null)) {
			throw new InvalidScheduleException("trigger", "a schedule needs either trigger.cron or trigger.fixed-rate");
		}
		if (cron != null) {
			return ScheduleTrigger.cron(cron, ScheduleTrigger.zone(trigger.timezone()));
		}
		return ScheduleTrigger.fixedRate(fixedRate);
	}

	/** The template as a job spec, with the defaults of {@code POST /api/v1/jobs} for what it leaves out. */
	private static JobSpec template(DeclaredSchedule.Template template, FetchPolicy defaults, long maxBodySize) {
		List<FetchRequest> requests = new ArrayList<>();
		for (int i = 0; i < template.requests().size(); i++) {
			DeclaredSchedule.Request request = template.requests().get(i);
			try {
				requests.add(new FetchRequest(FetchRequest.parseUrl(request.url()), request.method(), request.headers(),
						request.body(), request.extract()));
			}
			catch (InvalidFetchRequestException ex) {
				throw new InvalidScheduleException("template.requests[" + i + "]." + ex.field(), ex.getMessage());
			}
		}
		try {
			RetryPolicy retry = retry(template.retry(), defaults.retry());
			long bodySize = (template.maxBodySize() != null) ? template.maxBodySize().toBytes() : defaults.maxBodySize();
			if (bodySize > maxBodySize) {
				throw new InvalidFetchRequestException("maxBodySize", "maxBodySize must be at most " + maxBodySize
						+ " bytes");
			}
			FetchPolicy policy = new FetchPolicy(
					(template.concurrency() != null) ? template.concurrency() : defaults.concurrency(),
					(template.timeout() != null) ? template.timeout() : defaults.timeout(), retry, template.failFast(),
					bodySize, template.followRedirects(), defaults.maxRedirects());
			return new JobSpec(template.name(), template.labels(), template.priority(), requests, policy,
					template.deadline());
		}
		catch (InvalidFetchRequestException ex) {
			throw new InvalidScheduleException("template." + ex.field(), ex.getMessage());
		}
		catch (InvalidJobSpecException ex) {
			throw InvalidScheduleException.forTemplate(ex);
		}
	}

	private static RetryPolicy retry(DeclaredSchedule.@Nullable Retry retry, RetryPolicy defaults) {
		if (retry == null) {
			return defaults;
		}
		Duration initial = (retry.initialBackoff() != null) ? retry.initialBackoff() : defaults.initialBackoff();
		Duration max = (retry.maxBackoff() != null) ? retry.maxBackoff() : defaults.maxBackoff();
		if (retry.maxBackoff() == null && max.compareTo(initial) < 0) {
			// Only the initial backoff was raised: the cap follows it.
			max = initial;
		}
		return new RetryPolicy((retry.maxAttempts() != null) ? retry.maxAttempts() : defaults.maxAttempts(), initial,
				max, defaults.retryOn());
	}

	/** {@code trigger.fixedRate} as a property: {@code trigger.fixed-rate}. */
	private static String kebabCase(String field) {
		return CAMEL_HUMP.matcher(field)
			.replaceAll((hump) -> hump.group(1) + "-" + hump.group(2).toLowerCase(Locale.ROOT));
	}

	private record Declared(String owner, ScheduleSpec spec) {
	}

}
