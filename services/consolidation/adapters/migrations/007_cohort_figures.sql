-- Each cohort's figures (participants, completions, JP delivered, certificates), kept by the
-- statement triggers below whenever a cohort, enrolment, completion or certificate row changes,
-- so the statistics sum one row per cohort instead of joining every enrolment (seconds at a
-- national ten million). Recomputed from the cohort's rows, not by delta: a cohort's writes come
-- from one consumer at a time (its events share a partition), as the 20 JP upkeep assumes.
CREATE TABLE cohort_figures (
    cohort_code          text    PRIMARY KEY,
    enrolled             integer NOT NULL,
    withdrawn            integer NOT NULL,
    completed            integer NOT NULL,
    not_completed        integer NOT NULL,
    women                integer NOT NULL,
    men                  integer NOT NULL,
    jp_delivered         numeric NOT NULL,
    certificates_issued  integer NOT NULL,
    certificates_revoked integer NOT NULL
);

-- Schema-qualified through `schema` (the changed table's own, TG_TABLE_SCHEMA): a trigger runs
-- under whatever search_path the writer has, and a rebuild's schema is renamed afterwards.
CREATE FUNCTION refresh_cohort_figures(schema text, codes text[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format($q$
        INSERT INTO %1$I.cohort_figures AS f
        SELECT c.cohort_code,
               coalesce(p.enrolled, 0), coalesce(p.withdrawn, 0), coalesce(p.completed, 0),
               coalesce(p.not_completed, 0), coalesce(p.women, 0), coalesce(p.men, 0),
               coalesce(p.completed, 0) * c.total_jp,
               coalesce(x.issued, 0), coalesce(x.revoked, 0)
        FROM %1$I.cohorts c
        LEFT JOIN LATERAL (
            SELECT count(*) AS enrolled, count(*) FILTER (WHERE e.withdrawn) AS withdrawn,
                   count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
                   count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed,
                   count(*) FILTER (WHERE e.gender = 'P') AS women,
                   count(*) FILTER (WHERE e.gender = 'L') AS men
            FROM %1$I.enrolments e LEFT JOIN %1$I.completions k USING (cohort_code, nip)
            WHERE e.cohort_code = c.cohort_code
        ) p ON true
        LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE status = 'valid') AS issued,
                   count(*) FILTER (WHERE status = 'revoked') AS revoked
            FROM %1$I.certificates WHERE cohort_code = c.cohort_code
        ) x ON true
        WHERE c.cohort_code = ANY($1)
        ON CONFLICT (cohort_code) DO UPDATE SET
            enrolled = EXCLUDED.enrolled, withdrawn = EXCLUDED.withdrawn,
            completed = EXCLUDED.completed, not_completed = EXCLUDED.not_completed,
            women = EXCLUDED.women, men = EXCLUDED.men, jp_delivered = EXCLUDED.jp_delivered,
            certificates_issued = EXCLUDED.certificates_issued,
            certificates_revoked = EXCLUDED.certificates_revoked
    $q$, schema) USING codes;
END $fn$;

-- Every cohort at once, grouped rather than cohort by cohort: a rebuild's first pass defers the
-- triggers (ALTER TABLE ... DISABLE TRIGGER USER) and figures everything at its end.
CREATE FUNCTION refresh_all_cohort_figures() RETURNS void LANGUAGE sql AS $$
    TRUNCATE cohort_figures;
    INSERT INTO cohort_figures
    SELECT c.cohort_code,
           coalesce(p.enrolled, 0), coalesce(p.withdrawn, 0), coalesce(p.completed, 0),
           coalesce(p.not_completed, 0), coalesce(p.women, 0), coalesce(p.men, 0),
           coalesce(p.completed, 0) * c.total_jp,
           coalesce(x.issued, 0), coalesce(x.revoked, 0)
    FROM cohorts c
    LEFT JOIN (
        SELECT e.cohort_code, count(*) AS enrolled,
               count(*) FILTER (WHERE e.withdrawn) AS withdrawn,
               count(*) FILTER (WHERE k.completed AND NOT e.withdrawn) AS completed,
               count(*) FILTER (WHERE NOT k.completed AND NOT e.withdrawn) AS not_completed,
               count(*) FILTER (WHERE e.gender = 'P') AS women,
               count(*) FILTER (WHERE e.gender = 'L') AS men
        FROM enrolments e LEFT JOIN completions k USING (cohort_code, nip)
        GROUP BY e.cohort_code
    ) p USING (cohort_code)
    LEFT JOIN (
        SELECT cohort_code, count(*) FILTER (WHERE status = 'valid') AS issued,
               count(*) FILTER (WHERE status = 'revoked') AS revoked
        FROM certificates GROUP BY cohort_code
    ) x USING (cohort_code)
$$;

-- One function per transition table: a trigger names only the tables its event has.
CREATE FUNCTION cohort_figures_after_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT %I.refresh_cohort_figures($1, $2)', TG_TABLE_SCHEMA)
        USING TG_TABLE_SCHEMA, ARRAY(SELECT DISTINCT cohort_code FROM new_rows);
    RETURN NULL;
END $$;

CREATE FUNCTION cohort_figures_after_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT %I.refresh_cohort_figures($1, $2)', TG_TABLE_SCHEMA)
        USING TG_TABLE_SCHEMA, ARRAY(SELECT DISTINCT cohort_code FROM old_rows);
    RETURN NULL;
END $$;

CREATE TRIGGER cohorts_inserted AFTER INSERT ON cohorts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER cohorts_updated AFTER UPDATE ON cohorts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER enrolments_inserted AFTER INSERT ON enrolments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER enrolments_updated AFTER UPDATE ON enrolments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER enrolments_deleted AFTER DELETE ON enrolments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_old_rows();
CREATE TRIGGER completions_inserted AFTER INSERT ON completions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER completions_updated AFTER UPDATE ON completions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER completions_deleted AFTER DELETE ON completions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_old_rows();
CREATE TRIGGER certificates_inserted AFTER INSERT ON certificates
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER certificates_updated AFTER UPDATE ON certificates
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_new_rows();
CREATE TRIGGER certificates_deleted AFTER DELETE ON certificates
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cohort_figures_after_old_rows();

SELECT refresh_all_cohort_figures();
