package io.fanout.scheduler.schedules;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import io.fanout.scheduler.JobSpec;
import io.fanout.scheduler.ScheduleSpec;
import io.fanout.scheduler.ScheduleTrigger;
import io.fanout.scheduler.r2dbc.SpecCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON forms of a schedule's job template, and the hash of a whole definition that tells whether a
 * declaration in configuration changed. The template keeps the job store's private spec shape.
 */
final class ScheduleCodec {

	private final JsonMapper json = JsonMapper.builder().build();

	// Sorted map keys make equal definitions hash equally whatever the order of their maps.
	private final JsonMapper canonical = JsonMapper.builder()
		.enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
		.build();

	/**
	 * Goes once through every form, so that Jackson builds its serializers and deserializers here
	 * rather than under its lock on first use, which may be on an event loop (see {@link SpecCodec}).
	 */
	ScheduleCodec() {
		JobSpec template = SpecCodec.warmUpSpec();
		readTemplate(writeTemplate(template));
		fingerprint(ScheduleSpec.of("warm-up", ScheduleTrigger.fixedRate(Duration.ofMinutes(1)), template));
		fingerprint(ScheduleSpec.of("warm-up", ScheduleTrigger.cron("0 * * * * *"), template));
	}

	String writeTemplate(JobSpec template) {
		return this.json.writeValueAsString(StoredTemplate.of(template));
	}

	JobSpec readTemplate(String value) {
		return this.json.readValue(value, StoredTemplate.class).toSpec();
	}

	/** SHA-256 of everything that defines a schedule. */
	String fingerprint(ScheduleSpec spec) {
		Map<String, @Nullable Object> definition = new TreeMap<>();
		definition.put("name", spec.name());
		if (spec.trigger() instanceof ScheduleTrigger.Cron cron) {
			definition.put("cron", cron.expression());
			definition.put("timezone", cron.zone().getId());
		}
		else if (spec.trigger() instanceof ScheduleTrigger.FixedRate rate) {
			definition.put("fixedRateMillis", rate.period().toMillis());
		}
		definition.put("template", StoredTemplate.of(spec.template()));
		definition.put("overlap", spec.overlap().name());
		definition.put("enabled", spec.enabled());
		Duration jitter = spec.jitter();
		definition.put("jitterMillis", (jitter != null) ? jitter.toMillis() : null);
		byte[] bytes = this.canonical.writeValueAsBytes(definition);
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

	/** Version 1 of the stored template: the job spec's stored form plus what jobs keep in columns. */
	record StoredTemplate(int version, @Nullable String name, Map<String, String> labels, int priority,
			SpecCodec.StoredSpec spec) {

		static StoredTemplate of(JobSpec template) {
			return new StoredTemplate(1, template.name(), new TreeMap<>(template.labels()), template.priority(),
					SpecCodec.StoredSpec.of(template));
		}

		JobSpec toSpec() {
			return this.spec.toSpec(this.name, (this.labels != null) ? this.labels : Map.of(), this.priority);
		}

	}

}
