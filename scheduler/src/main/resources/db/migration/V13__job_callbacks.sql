-- Fanout scheduler: a job's callback, for the statements that end a job (issue 14).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- The spec keeps the callback too (so that schedules' templates and reruns carry it); this row is
-- what the terminal-state write and the delivery worker read, without decompressing the spec.
-- headers: JSON, stored only to deliver, like a request's headers in the spec.

CREATE TABLE job_callbacks (
    job_id         UUID           NOT NULL,
    url            VARCHAR(2000)  NOT NULL,
    on_completed   BOOLEAN        NOT NULL,
    on_failed      BOOLEAN        NOT NULL,
    on_cancelled   BOOLEAN        NOT NULL,
    progress_every INTEGER,
    headers        VARCHAR(16000) NOT NULL,
    CONSTRAINT job_callbacks_pk PRIMARY KEY (job_id),
    CONSTRAINT job_callbacks_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
