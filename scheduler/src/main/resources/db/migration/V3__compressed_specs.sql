-- Fanout scheduler: job specs stored compressed.
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- A job of many requests has a spec of megabytes of JSON. Held as one VARCHAR, H2 had to serialize
-- it into a single buffer of up to three bytes per character whenever its page was written, which
-- could exhaust a small heap, and an OutOfMemoryError inside H2 closes the whole database. New
-- specs go to spec_gzip, gzip-compressed; rows written before this version keep their text in
-- spec until the retention purge removes them, and Fanout reads either.

ALTER TABLE job_specs ADD COLUMN spec_gzip BYTEA;
ALTER TABLE job_specs ALTER COLUMN spec DROP NOT NULL;
ALTER TABLE job_specs ADD CONSTRAINT job_specs_spec_present CHECK (spec IS NOT NULL OR spec_gzip IS NOT NULL);
