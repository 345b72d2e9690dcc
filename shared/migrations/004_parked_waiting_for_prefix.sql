-- Which events wait for any enrolment of a cohort is a prefix search (`enrolment:<code>:`).
-- Written as `starts_with` it scanned the whole table: ~24 ms a close batch once a backlog had
-- parked and released 100,000 marks (their dead rows stay until vacuum). A byte-ordered index
-- answers it as a range: every key with the prefix sorts between it and the prefix with its
-- last character raised, whatever the database's own collation.
CREATE INDEX parked_events_waiting_for_bytes ON parked_events ((waiting_for COLLATE "C"));
