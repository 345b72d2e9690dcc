-- Cohorts as the enrolment service announced them (never read from its tables).
CREATE TABLE cohorts (
    cohort_code     text        PRIMARY KEY,
    publisher       text        NOT NULL,
    programme_name  text        NOT NULL,
    organizer       text        NOT NULL,
    angkatan        text        NOT NULL,
    year            integer     NOT NULL,
    location        text        NOT NULL,
    timezone        text        NOT NULL,
    total_jp        numeric     NOT NULL,
    status          text        NOT NULL DEFAULT 'scheduled'
                                CHECK (status IN ('scheduled', 'cancelled', 'finalised')),
    -- The owner's ingest close that enrolment accepted; finalisation waits for its barrier.
    close_event_id  text,
    closed_at       timestamptz,
    finalised_at    timestamptz
);

CREATE TABLE sessions (
    cohort_code text        NOT NULL,
    no          integer     NOT NULL,
    jp          numeric     NOT NULL,
    method      text        NOT NULL,
    title       text,
    starts_at   timestamptz NOT NULL,  -- UTC; shown in the cohort's zone
    ends_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, no)
);

CREATE TABLE enrolments (
    cohort_code  text        NOT NULL,
    nip          text        NOT NULL,
    name         text        NOT NULL DEFAULT '',
    enrolled_at  timestamptz,
    withdrawn_at timestamptz,
    PRIMARY KEY (cohort_code, nip)
);

-- The winning mark per (cohort, NIP, session): (event_time, event_id) decides, so replays
-- and out-of-order corrections converge on the same row.
CREATE TABLE attendance (
    cohort_code text        NOT NULL,
    nip         text        NOT NULL,
    session_no  integer     NOT NULL,
    status      text        NOT NULL,
    note        text,
    event_id    text        NOT NULL,
    event_time  timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_code, nip, session_no)
);

-- One row per finalised participant: the unique key makes finalisation happen once.
CREATE TABLE finalisations (
    cohort_code      text        NOT NULL,
    nip              text        NOT NULL,
    jp_present       numeric     NOT NULL,
    jp_total         numeric     NOT NULL,
    rate_pct         numeric     NOT NULL,
    sessions_total   integer     NOT NULL,
    sessions_present integer     NOT NULL,
    missed_by_status jsonb       NOT NULL,
    finalised_at     timestamptz NOT NULL,
    PRIMARY KEY (cohort_code, nip)
);
