-- Verifiable credentials (issue 20): each certificate's place in its publisher's revocation
-- status lists (W3C Bitstring Status List), drawn at random when its credential is first
-- asked for. The bits themselves are not stored: a list is read from the certificates' status.

-- The publisher's newest list; its row is locked while positions are drawn.
CREATE TABLE status_list_heads (
    publisher text    PRIMARY KEY,
    list_no   integer NOT NULL CHECK (list_no >= 1)
);

CREATE TABLE credential_status (
    certificate_id uuid    PRIMARY KEY REFERENCES certificates (id),
    publisher      text    NOT NULL,
    list_no        integer NOT NULL CHECK (list_no >= 1),
    list_index     integer NOT NULL CHECK (list_index >= 0),
    salt           text    NOT NULL,  -- of the NIP's hash in the credential
    UNIQUE (publisher, list_no, list_index)
);
