-- Fanout scheduler: delayed jobs and reruns (issue 14).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- not_before: a queued job is not claimed before this instant (NULL: at once). Claims compare it
-- with the claiming worker's clock, passed in, never the database's.
-- rerun_of: the finished job whose requests this job runs again; its reruns are listed from it.
-- source_indexes: for a rerun, the index in rerun_of of each of its requests, in order, as
-- comma-separated numbers; kept with the spec, which listing never reads.

ALTER TABLE jobs ADD COLUMN not_before TIMESTAMP WITH TIME ZONE;
ALTER TABLE jobs ADD COLUMN rerun_of UUID;
ALTER TABLE job_specs ADD COLUMN source_indexes VARCHAR;

-- A job's reruns, newest first.
CREATE INDEX jobs_rerun_of_idx ON jobs (rerun_of, id);
