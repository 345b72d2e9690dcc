-- Issue 19: the 20 JP reminders sent, one per publisher per period. Written with the outbox
-- row in one transaction, and again from the feedback topic (a rebuild restores it), so a
-- period's reminder is never sent twice.
CREATE TABLE reminders_sent (
    publisher text        NOT NULL,
    period    text        NOT NULL,
    year      integer     NOT NULL,
    event_id  text        NOT NULL,
    roster    integer     NOT NULL,
    below     integer     NOT NULL,
    zero      integer     NOT NULL,
    sent_at   timestamptz NOT NULL,
    PRIMARY KEY (publisher, period)
);
