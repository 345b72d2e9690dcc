-- Issue 20: the date each STTP carries (its cohort's close date), as certification announces
-- it; NULL for certificates announced before it said.
ALTER TABLE certificates ADD COLUMN issue_date date;
