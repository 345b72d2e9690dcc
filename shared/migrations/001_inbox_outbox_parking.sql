-- Inbox: one row per consumed event, keyed by CloudEvents (source, id): the idempotency key.
CREATE TABLE processed_events (
    source       text        NOT NULL,
    event_id     text        NOT NULL,
    event_type   text,
    publisher    text,
    outcome      text        NOT NULL,
    reason       text,
    topic        text,
    partition    integer,
    "offset"     bigint,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);

-- Outbox: rows written in the same transaction as the state they announce; a relay
-- publishes them in id order (so per key in order) and deletes them once Kafka acked.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    key        text,
    event_id   text        NOT NULL,
    payload    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(current_schema() || '_outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

-- Parking: an event waiting for a prerequisite still in flight (e.g. attendance for an
-- enrolment not yet heard of). Rejected with reject_code when expires_at passes.
CREATE TABLE parked_events (
    source      text        NOT NULL,
    event_id    text        NOT NULL,
    waiting_for text        NOT NULL,
    reject_code text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    event       jsonb       NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX parked_events_waiting_for ON parked_events (waiting_for);
CREATE INDEX parked_events_expires_at ON parked_events (expires_at);
