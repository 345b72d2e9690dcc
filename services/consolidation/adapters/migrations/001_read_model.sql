-- The national read model. Each table is keyed so that every upsert is naturally idempotent,
-- and facts from different domain topics (which arrive in no fixed order relative to each
-- other) live in separate tables joined at query time.
CREATE TABLE cohorts (
    cohort_code        text          PRIMARY KEY,
    publisher          text          NOT NULL,
    organizer_province text,          -- NULL for nasional
    programme_name     text          NOT NULL,
    category           text          NOT NULL,
    organizer          text          NOT NULL,
    year               integer       NOT NULL,
    angkatan           text          NOT NULL,
    location           text          NOT NULL,
    start_date         date          NOT NULL,
    end_date           date          NOT NULL,
    total_jp           numeric       NOT NULL,
    status             text          NOT NULL DEFAULT 'scheduled',  -- scheduled|closed|cancelled
    cancel_reason      text,
    changed_at         timestamptz   NOT NULL
);
CREATE INDEX cohorts_publisher ON cohorts (publisher, year);
CREATE INDEX cohorts_province ON cohorts (organizer_province, year);
CREATE INDEX cohorts_year_category ON cohorts (year, category);

CREATE TABLE enrolments (
    cohort_code     text        NOT NULL,
    nip             text        NOT NULL,
    name            text        NOT NULL,
    asn_type        text        NOT NULL,
    gender          text        NOT NULL,
    position        text        NOT NULL,
    rank            text,
    agency          text        NOT NULL,
    region          text        NOT NULL,
    region_province text        NOT NULL,
    withdrawn       boolean     NOT NULL DEFAULT false,
    enrolled_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);
CREATE INDEX enrolments_nip ON enrolments (nip);
CREATE INDEX enrolments_region ON enrolments (region_province, region);

-- Attendance and completion, keyed like enrolments but written by other services' events.
CREATE TABLE attendance (
    cohort_code text    NOT NULL,
    nip         text    NOT NULL,
    jp_present  numeric NOT NULL,
    jp_total    numeric NOT NULL,
    rate_pct    numeric NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);

CREATE TABLE completions (
    cohort_code text        NOT NULL,
    nip         text        NOT NULL,
    completed   boolean     NOT NULL,
    predicate   text,
    score       numeric,
    decided_at  timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);
CREATE INDEX completions_nip ON completions (nip) WHERE completed;

CREATE TABLE certificates (
    certificate_id text        PRIMARY KEY,
    number         text        NOT NULL,
    version        integer     NOT NULL,
    cohort_code    text        NOT NULL,
    publisher      text        NOT NULL,
    nip            text        NOT NULL,
    name           text        NOT NULL,
    programme_name text        NOT NULL,
    category       text        NOT NULL,
    organizer      text        NOT NULL,
    year           integer     NOT NULL,
    total_jp       numeric     NOT NULL,
    end_date       date        NOT NULL,
    predicate      text,
    issued_at      timestamptz NOT NULL,
    status         text        NOT NULL DEFAULT 'valid',  -- valid|revoked|superseded
    status_reason  text
);
CREATE INDEX certificates_number ON certificates (number);
CREATE INDEX certificates_nip ON certificates (nip);
CREATE INDEX certificates_name ON certificates (lower(name) text_pattern_ops);
CREATE INDEX certificates_cohort ON certificates (cohort_code);

-- Latest ingest outcome per (service, event id) as told on the feedback topics.
CREATE TABLE ingest_outcomes (
    service    text        NOT NULL,
    event_id   text        NOT NULL,
    publisher  text        NOT NULL,
    outcome    text        NOT NULL,
    reason     text,
    decided_at timestamptz NOT NULL,
    PRIMARY KEY (service, event_id)
);
CREATE INDEX ingest_outcomes_publisher ON ingest_outcomes (publisher, outcome, reason);

-- One row per ASN: identity and home region from the latest enrolment (the 20 JP views'
-- population and the region an ASN belongs to for authorisation).
CREATE TABLE asn (
    nip             text        PRIMARY KEY,
    name            text        NOT NULL,
    gender          text        NOT NULL,
    asn_type        text        NOT NULL,
    agency          text        NOT NULL,
    region          text        NOT NULL,
    region_province text        NOT NULL,
    enrolled_at     timestamptz NOT NULL
);
CREATE INDEX asn_region ON asn (region_province, region);
