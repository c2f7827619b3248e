-- Fanout scheduler: a rerun's source indexes in chunks (issue 17).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- job_specs.source_indexes holds, for each request of a rerun, its index in the job it reruns, as
-- one text value: for a rerun of a million requests, every page of its results and every stream of
-- them read some 7 MB of text and made a million numbers of it. From this version they are stored a
-- thousand to a row, 4 bytes each, and a page reads the rows of the results it shows. Reruns stored
-- before keep their text, which is still read as before.

CREATE TABLE job_source_chunks (
    job_id  UUID    NOT NULL,
    chunk   INTEGER NOT NULL,
    indexes BYTEA   NOT NULL,
    CONSTRAINT job_source_chunks_pk PRIMARY KEY (job_id, chunk),
    CONSTRAINT job_source_chunks_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);
