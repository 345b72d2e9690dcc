-- Issue 17, item 6: an ASN's home region can no longer be moved by another region's publisher.
-- Each enrolment keeps who made its region claim (the cohort's publisher) and how much that
-- claim weighs (services.consolidation.domain.claim_authority: 3 the region's own publisher,
-- 2 nasional, 1 the province over its kabupaten/kota, 0 anyone else). The `asn` row is
-- derived from them: the weightiest claim, the earliest among equals.
ALTER TABLE enrolments
    ADD COLUMN publisher text,
    ADD COLUMN claim_authority smallint NOT NULL DEFAULT 0;

UPDATE enrolments e SET publisher = c.publisher FROM cohorts c WHERE c.cohort_code = e.cohort_code;
-- The same rule as domain.claim_authority, once, for the rows written before this migration.
UPDATE enrolments SET claim_authority = CASE
    WHEN publisher = region THEN 3
    WHEN publisher = 'nasional' THEN 2
    WHEN publisher ~ '^[0-9]{2}$' AND region LIKE publisher || '.%' THEN 1
    ELSE 0 END
WHERE publisher IS NOT NULL;

-- Re-derive every ASN's home region from the claims (the query of postgres.refresh_asn).
WITH home AS (
    SELECT DISTINCT ON (nip) nip, region, claim_authority FROM enrolments
    ORDER BY nip, claim_authority DESC, enrolled_at, cohort_code
), chosen AS (
    SELECT DISTINCT ON (e.nip) e.* FROM enrolments e JOIN home h USING (nip, region, claim_authority)
    ORDER BY e.nip, e.enrolled_at DESC, e.cohort_code DESC
)
UPDATE asn a SET name = c.name, gender = c.gender, asn_type = c.asn_type, agency = c.agency,
    region = c.region, region_province = c.region_province, enrolled_at = c.enrolled_at
FROM chosen c WHERE c.nip = a.nip;

-- Issue 17, item 16: every duplicate outcome a service told, one row each. `ingest_outcomes`
-- keeps one decision per event id, and a duplicate is by definition a second record with an
-- id already decided, so it could never be counted there. Keyed by the feedback message and
-- the outcome's place in it: the inbox makes a replayed message a no-op, and a rebuild
-- replaying the same messages writes the same rows.
CREATE TABLE ingest_duplicates (
    service    text        NOT NULL,
    message_id text        NOT NULL,
    ordinal    integer     NOT NULL,
    event_id   text        NOT NULL,
    publisher  text        NOT NULL,
    decided_at timestamptz NOT NULL,
    PRIMARY KEY (service, message_id, ordinal)
);
CREATE INDEX ingest_duplicates_publisher ON ingest_duplicates (publisher);
