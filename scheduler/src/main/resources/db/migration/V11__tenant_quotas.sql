-- Fanout scheduler: what tenants' quotas and fair claiming read (issue 13).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- stored_bytes: bytes of result bodies stored for the job, added by the statement that adds its
-- results to its counts. A tenant's stored bytes are the sum over its jobs (jobs_owner_idx), so
-- deleting or purging a job frees its bytes with it, and no row is shared by a tenant's writers.
-- Jobs stored before this version get theirs from their results, once.

ALTER TABLE jobs ADD COLUMN stored_bytes BIGINT DEFAULT 0 NOT NULL;

UPDATE jobs SET stored_bytes = (SELECT COALESCE(SUM(r.body_size), 0) FROM job_results r
    WHERE r.job_id = jobs.id AND r.body IS NOT NULL);

-- The claim of one tenant's next jobs: its queued jobs by priority, then age.
CREATE INDEX jobs_owner_claim_idx ON jobs (owner, status, priority DESC, id);
