-- A close barrier counts only once enrolment accepted that very close. Keyed by source too: a
-- publisher sending another's close id on its own topic no longer takes the owner's row.
-- `passed`: this service's ingest consumer has read the record (a verdict may come first);
-- `verdict`: enrolment's word on it, 'closed' (its CohortClosed names it) or 'refused'.
ALTER TABLE close_barriers ADD COLUMN passed boolean NOT NULL DEFAULT true;
ALTER TABLE close_barriers ALTER COLUMN passed DROP DEFAULT;
ALTER TABLE close_barriers ADD COLUMN verdict text CHECK (verdict IN ('closed', 'refused'));
ALTER TABLE close_barriers DROP CONSTRAINT close_barriers_pkey;
ALTER TABLE close_barriers ADD PRIMARY KEY (cohort_code, source, event_id);

-- Barriers noted before this migration whose close enrolment already confirmed (the cohort's
-- close names them) keep counting; in a schema without such a cohorts table there is none.
DO $$
BEGIN
    IF (SELECT count(*) FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'cohorts'
          AND column_name IN ('close_event_id', 'publisher')) = 2 THEN
        EXECUTE $sql$
            UPDATE close_barriers b SET verdict = 'closed' FROM cohorts c
            WHERE c.cohort_code = b.cohort_code AND c.close_event_id = b.event_id
              AND b.source = '/publishers/' || c.publisher$sql$;
        -- The other barriers of a cohort already closed are closes that closed nothing (no
        -- refusal will come for them: enrolment did not announce refusals before this).
        EXECUTE $sql$
            UPDATE close_barriers b SET verdict = 'refused' FROM cohorts c
            WHERE c.cohort_code = b.cohort_code AND c.close_event_id IS NOT NULL
              AND b.verdict IS NULL$sql$;
    END IF;
END $$;

-- Domain events (facts from another service, source `/services/...`) wait as long as they need:
-- only publishers' requests expire. The partial index serves the waiting-domain-events gauge.
UPDATE parked_events SET expires_at = 'infinity' WHERE source NOT LIKE '/publishers/%';
CREATE INDEX parked_events_domain ON parked_events (parked_at)
    WHERE source NOT LIKE '/publishers/%';
