-- How often each comment form was sent back, from one network: a form
-- shown once and posted again and again is a program's, not a person's.
-- Kept in step with migrations/sqlite/0009_form_stamps.sql (see 0001_core.sql).
-- key is a keyed hash of the form's signed stamp and the client's network.
CREATE TABLE form_stamp_uses (
    key        TEXT PRIMARY KEY,
    uses       BIGINT NOT NULL,
    last_at    BIGINT NOT NULL
);
