-- Issue 19: the home region of every ASN a roster names, as this gate accepted it: who may
-- record an ASN next (its region, or nasional for a transfer) is decided against it.
CREATE TABLE roster (
    nip         text        PRIMARY KEY,
    region      text        NOT NULL,
    recorded_at timestamptz NOT NULL
);
