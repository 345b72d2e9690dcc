-- The owner's `cohort.closed` record as this service saw it on the ingest log. Ingest
-- events of a cohort share a partition, so an event before the barrier's offset was sent
-- before the close, whatever order the services happen to process things in.
CREATE TABLE close_barriers (
    cohort_code text        NOT NULL,
    event_id    text        NOT NULL,
    source      text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_code, event_id)
);
