-- Issue 19: the ASN roster (who each region's ASN are) and the 20 JP determination per ASN per
-- year, kept current with the counts the drill-down reads, in the same transaction as the facts.

-- The cohort's own completion threshold: a determination says "attendance 72% < 90%".
ALTER TABLE cohorts ADD COLUMN min_attendance_pct numeric;

-- One row per ASN as their region's roster states them now; region_province is the
-- province code, or 'nasional' for a central agency.
CREATE TABLE roster (
    nip             text        PRIMARY KEY,
    name            text        NOT NULL,
    asn_type        text        NOT NULL,
    gender          text        NOT NULL,
    agency          text        NOT NULL,
    unit            text,
    region          text        NOT NULL,
    region_province text        NOT NULL,
    position        text,
    rank            text,
    status          text        NOT NULL,
    status_since    date        NOT NULL,
    publisher       text        NOT NULL,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX roster_area ON roster (region_province, region, agency);

-- Every accepted roster row, so an ASN's transfers and status changes can be read back.
CREATE TABLE roster_history (
    nip          text        NOT NULL,
    event_id     text        NOT NULL,
    publisher    text        NOT NULL,
    change       text        NOT NULL,  -- new | same | transfer
    region       text        NOT NULL,
    agency       text        NOT NULL,
    status       text        NOT NULL,
    status_since date        NOT NULL,
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (nip, event_id)
);

-- The years a determination is owed for every roster ASN in service (not only the trained).
CREATE TABLE compliance_years (year integer PRIMARY KEY);

-- One determination per ASN-year (services.consolidation.compliance.determine). Placement
-- (region, agency, unit) is the roster's, or the enrolment claims' for an ASN not in it.
CREATE TABLE asn_years (
    year            integer NOT NULL,
    nip             text    NOT NULL,
    name            text    NOT NULL,
    region          text    NOT NULL,
    region_province text    NOT NULL,
    agency          text    NOT NULL,
    unit            text,
    jp              numeric NOT NULL,
    minimum         numeric,
    standing        text    NOT NULL,
    reason          text    NOT NULL,
    shortfall       numeric NOT NULL,
    PRIMARY KEY (year, nip)
);
CREATE INDEX asn_years_nip ON asn_years (nip);
CREATE INDEX asn_years_area ON asn_years (year, region_province, region, agency, unit);
CREATE INDEX asn_years_at_risk ON asn_years (year, shortfall DESC, nip)
    WHERE standing IN ('BELOW', 'ZERO');

-- Counts per (year, region, agency), maintained by delta with every change of asn_years.
CREATE TABLE compliance_counts (
    year            integer NOT NULL,
    region          text    NOT NULL,
    agency          text    NOT NULL,
    region_province text    NOT NULL,
    met             integer NOT NULL DEFAULT 0,
    below           integer NOT NULL DEFAULT 0,
    zero            integer NOT NULL DEFAULT 0,
    exempt          integer NOT NULL DEFAULT 0,
    not_in_roster   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (year, region, agency)
);
CREATE INDEX compliance_counts_province ON compliance_counts (year, region_province);

-- How many assessed ASN-years have each JP figure: exact medians and means at any level.
CREATE TABLE compliance_jp (
    year            integer NOT NULL,
    region          text    NOT NULL,
    agency          text    NOT NULL,
    jp              numeric NOT NULL,
    region_province text    NOT NULL,
    n               integer NOT NULL,
    PRIMARY KEY (year, region, agency, jp)
);
CREATE INDEX compliance_jp_province ON compliance_jp (year, region_province);
