-- Data quality as kept counts per (publisher, UTC day, outcome, reason), so the dashboard's
-- rejections and the data-quality page sum a few rows per publisher and day instead of reading
-- every ingest event's outcome. Maintained by delta from the statement triggers below (deltas
-- commute, so concurrent batches need only take the rows in one order).
CREATE TABLE quality_counts (
    publisher text    NOT NULL,
    day       date    NOT NULL,
    outcome   text    NOT NULL,
    reason    text    NOT NULL,
    n         integer NOT NULL,
    PRIMARY KEY (publisher, day, outcome, reason)
);

-- The rows a statement added (+1) and took away (-1), gathered from its transition tables
-- (plpgsql plans a branch only when it runs, so each branch names only tables that exist), then
-- added into the changed table's own schema (TG_TABLE_SCHEMA: a trigger runs under the writer's
-- search_path, and a rebuild's schema is renamed afterwards); a count back at zero is removed,
-- as a rebuild would never have written it.
CREATE FUNCTION count_quality() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    changes jsonb;
BEGIN
    IF TG_TABLE_NAME = 'ingest_duplicates' THEN
        SELECT jsonb_agg(jsonb_build_array(publisher, (decided_at AT TIME ZONE 'UTC')::date,
                         'duplicate', '', 1)) INTO changes FROM new_rows;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_array(publisher, (decided_at AT TIME ZONE 'UTC')::date,
                         outcome, coalesce(reason, ''), 1)) INTO changes FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(c) INTO changes FROM (
            SELECT jsonb_build_array(publisher, (decided_at AT TIME ZONE 'UTC')::date, outcome,
                                     coalesce(reason, ''), -1) AS c FROM old_rows
            UNION ALL
            SELECT jsonb_build_array(publisher, (decided_at AT TIME ZONE 'UTC')::date, outcome,
                                     coalesce(reason, ''), 1) FROM new_rows) changed;
    ELSE
        SELECT jsonb_agg(jsonb_build_array(publisher, (decided_at AT TIME ZONE 'UTC')::date,
                         outcome, coalesce(reason, ''), -1)) INTO changes FROM old_rows;
    END IF;
    IF changes IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format($q$
        INSERT INTO %1$I.quality_counts AS q (publisher, day, outcome, reason, n)
        SELECT e->>0, (e->>1)::date, e->>2, e->>3, sum((e->>4)::int)::int
        FROM jsonb_array_elements($1) e GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (publisher, day, outcome, reason) DO UPDATE SET n = q.n + EXCLUDED.n
    $q$, TG_TABLE_SCHEMA) USING changes;
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM %1$I.quality_counts q USING jsonb_array_elements($1) e
            WHERE q.n = 0 AND (q.publisher, q.day, q.outcome, q.reason)
                = (e->>0, (e->>1)::date, e->>2, e->>3)
        $q$, TG_TABLE_SCHEMA) USING changes;
    END IF;
    RETURN NULL;
END $fn$;

CREATE TRIGGER ingest_outcomes_inserted AFTER INSERT ON ingest_outcomes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_quality();
CREATE TRIGGER ingest_outcomes_updated AFTER UPDATE ON ingest_outcomes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_quality();
CREATE TRIGGER ingest_outcomes_deleted AFTER DELETE ON ingest_outcomes
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_quality();
CREATE TRIGGER ingest_duplicates_inserted AFTER INSERT ON ingest_duplicates
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_quality();

INSERT INTO quality_counts (publisher, day, outcome, reason, n)
SELECT publisher, day, outcome, reason, count(*) FROM (
    SELECT publisher, (decided_at AT TIME ZONE 'UTC')::date AS day, outcome,
           coalesce(reason, '') AS reason FROM ingest_outcomes
    UNION ALL
    SELECT publisher, (decided_at AT TIME ZONE 'UTC')::date, 'duplicate', ''
    FROM ingest_duplicates) o
GROUP BY 1, 2, 3, 4;
