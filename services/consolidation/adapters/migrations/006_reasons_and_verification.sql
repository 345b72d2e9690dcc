-- Issue 21: why a participant did or did not complete, in certification's own words, and
-- each certificate's verification code (its public page is /verify/<code>); NULL for what
-- was announced before this was kept (a rebuild fills it).
ALTER TABLE completions ADD COLUMN explanation_id text, ADD COLUMN explanation_en text;
ALTER TABLE certificates ADD COLUMN verification_code text;
-- The data-quality view's periods: one publisher's outcomes by time.
CREATE INDEX ingest_outcomes_publisher_time ON ingest_outcomes (publisher, decided_at);
