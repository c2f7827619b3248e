-- Fanout scheduler: the slots of rates shared by every replica (issue 13).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- A rate of a host or of a flow key spaces requests one interval apart across the cluster: each
-- key's row holds the first slot nobody has leased yet; a replica leases a few slots at a time by
-- moving it on, and spends them at their times. Only PostgreSQL deployments use it; rows of keys
-- unused for an hour are deleted.

CREATE TABLE rate_slots (
    rate_key  VARCHAR(320)             NOT NULL,
    next_slot TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT rate_slots_pk PRIMARY KEY (rate_key)
);
