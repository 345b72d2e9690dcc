-- A complete STTP (issue 20): the day a close says its cohort closed, and each publisher's
-- default signatory and place of issue (used when a schedule names none).

ALTER TABLE cohorts ADD COLUMN closed_on date;  -- CohortClosed.closed_on, when the close said

CREATE TABLE publisher_profiles (
    publisher       text        PRIMARY KEY,
    signatory_name  text,
    signatory_nip   text,
    signatory_title text,
    place_of_issue  text,
    updated_at      timestamptz NOT NULL,
    -- A signatory is whole or absent: a name without its NIP and title signs nothing.
    CHECK ((signatory_name IS NULL) = (signatory_nip IS NULL)
           AND (signatory_name IS NULL) = (signatory_title IS NULL))
);
