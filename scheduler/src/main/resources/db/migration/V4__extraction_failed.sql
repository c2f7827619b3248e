-- Fanout scheduler: a count of results whose extraction rules failed.
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- Extraction runs under a budget of time and input per response (issue 11); a response whose rules
-- exceed it, or fail, is an EXTRACTION_FAILED result. Jobs stored before this version have none.

ALTER TABLE jobs ADD COLUMN extraction_failed INTEGER DEFAULT 0 NOT NULL;
