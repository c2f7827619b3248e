-- Fanout scheduler: a job's requests stored in chunks.
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- A job of a million requests is tens of megabytes of compressed JSON: as one value it would have to
-- be written, read and held whole. From this version a job's requests are stored in chunks of a
-- thousand (the chunk size is in the spec), each gzip-compressed JSON, and job_specs keeps the rest of
-- the spec. Specs stored before keep their requests inline, and Fanout reads either.

CREATE TABLE job_request_chunks (
    job_id   UUID    NOT NULL,
    chunk    INTEGER NOT NULL,
    requests BYTEA   NOT NULL,
    CONSTRAINT job_request_chunks_pk PRIMARY KEY (job_id, chunk),
    CONSTRAINT job_request_chunks_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
