-- Outbox rows live for milliseconds: compressing a large payload (a feedback message of 500
-- outcomes, ~100 KB) cost Postgres ~0.4 ms of its ~1.2 ms per row, to save space nobody keeps.
-- EXTERNAL still moves large values out of line, uncompressed.
ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL;
