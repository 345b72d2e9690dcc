-- Cohorts as their publisher scheduled them (latest amendment), with live seat counters so a
-- registration checks the quota without counting the roster.
CREATE TABLE cohorts (
    cohort_code           text        PRIMARY KEY,
    publisher             text        NOT NULL,
    status                text        NOT NULL DEFAULT 'SCHEDULED',
    programme_name        text        NOT NULL,
    category              text        NOT NULL,
    organizer             text        NOT NULL,
    year                  integer     NOT NULL,
    angkatan              text        NOT NULL,
    location              text        NOT NULL,
    timezone              text        NOT NULL,
    quota                 integer     NOT NULL,
    open_to_other_regions boolean     NOT NULL,
    completion            jsonb       NOT NULL,
    sessions              jsonb       NOT NULL,
    first_session_start   timestamptz NOT NULL,
    start_date            date        NOT NULL,
    end_date              date        NOT NULL,
    total_jp              numeric     NOT NULL,
    policy_version        integer     NOT NULL DEFAULT 1,
    enrolled              integer     NOT NULL DEFAULT 0,
    withdrawn             integer     NOT NULL DEFAULT 0,
    cancel_reason         text,
    scheduled_at          timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    closed_at             timestamptz,
    cancelled_at          timestamptz
);
CREATE INDEX cohorts_publisher ON cohorts (publisher, start_date);

-- One row per (cohort, NIP); a withdrawal keeps the row (status WITHDRAWN) so the roster
-- and the national view can still show who left.
CREATE TABLE enrolments (
    cohort_code     text        NOT NULL REFERENCES cohorts (cohort_code),
    nip             text        NOT NULL,
    status          text        NOT NULL,
    name            text        NOT NULL,
    asn_type        text        NOT NULL,
    gender          text        NOT NULL,
    position        text        NOT NULL,
    rank            text,
    agency          text        NOT NULL,
    region          text        NOT NULL,
    enrolled_at     timestamptz NOT NULL,
    withdrawn_at    timestamptz,
    withdraw_reason text,
    PRIMARY KEY (cohort_code, nip)
);
-- A participant's enrolments across publishers (national API).
CREATE INDEX enrolments_nip ON enrolments (nip);

-- Outcome counts per publisher (API) read the shared inbox by publisher.
CREATE INDEX processed_events_publisher ON processed_events (publisher, outcome, reason);
