-- Certification's own view of cohorts and rosters (learned from enrolment/attendance events),
-- evaluations, completion decisions and certificates.

CREATE TABLE cohorts (
    cohort_code         text        PRIMARY KEY,
    publisher           text        NOT NULL,
    info                jsonb       NOT NULL,  -- CohortInfo as enrolment published it
    policy_version      integer     NOT NULL,
    min_attendance_pct  numeric     NOT NULL,
    evaluation_required boolean     NOT NULL,
    pass_score          numeric     NOT NULL,
    cancelled           boolean     NOT NULL DEFAULT false,
    close_event_id      text,                  -- CohortClosed.cause.event_id
    closed_at           timestamptz,
    finalised           boolean     NOT NULL DEFAULT false
);

CREATE TABLE enrolments (
    cohort_code text    NOT NULL,
    nip         text    NOT NULL,
    participant jsonb   NOT NULL,
    withdrawn   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (cohort_code, nip)
);

-- The latest score by event time; a later `time` supersedes until the cohort closes.
CREATE TABLE evaluations (
    cohort_code text        NOT NULL,
    nip         text        NOT NULL,
    score       numeric     NOT NULL,
    event_id    text        NOT NULL,
    event_time  timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);

CREATE TABLE attendance_results (
    cohort_code  text        NOT NULL,
    nip          text        NOT NULL,
    jp_present   numeric     NOT NULL,
    jp_total     numeric     NOT NULL,
    rate_pct     numeric     NOT NULL,
    finalised_at timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);

-- One decision per (cohort, NIP): the primary key makes deciding idempotent.
CREATE TABLE decisions (
    cohort_code    text        NOT NULL,
    nip            text        NOT NULL,
    completed      boolean     NOT NULL,
    policy_version integer     NOT NULL,
    rate_pct       numeric     NOT NULL,
    score          numeric,
    predicate      text,
    explanation_id text        NOT NULL,
    explanation_en text        NOT NULL,
    decided_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);

-- Per organiser (publisher) and year; incremented in the issuing transaction.
CREATE TABLE certificate_counters (
    publisher text    NOT NULL,
    year      integer NOT NULL,
    last_seq  integer NOT NULL,
    PRIMARY KEY (publisher, year)
);

CREATE TABLE certificates (
    id                uuid        PRIMARY KEY,
    cohort_code       text        NOT NULL,
    nip               text        NOT NULL,
    publisher         text        NOT NULL,
    number            text        NOT NULL UNIQUE,
    version           integer     NOT NULL,
    verification_code text        NOT NULL UNIQUE,
    status            text        NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    content           jsonb       NOT NULL,  -- exactly what the STTP shows
    issued_at         timestamptz NOT NULL,
    previous_id       uuid        REFERENCES certificates (id),
    superseded_by     uuid,
    status_reason     text,
    status_changed_at timestamptz,
    pdf               bytea,                 -- NULL = pdf_pending, rendered off the hot path
    pdf_rendered_at   timestamptz
);
-- The guarantee: at most one valid certificate per (cohort, NIP), whatever the delivery.
CREATE UNIQUE INDEX certificates_one_valid ON certificates (cohort_code, nip)
    WHERE status = 'valid';
CREATE INDEX certificates_cohort ON certificates (cohort_code);
CREATE INDEX certificates_pdf_pending ON certificates (issued_at) WHERE pdf IS NULL;

CREATE FUNCTION notify_pdf_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(current_schema() || '_pdf', '');
    RETURN NULL;
END $$;

CREATE TRIGGER certificates_pdf_notify AFTER INSERT ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION notify_pdf_pending();
