-- Background jobs (notification mail, reminders), claimed under a lease so
-- that across nodes no job runs twice and a crashed worker's job is retried.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    -- key makes enqueueing idempotent: one job per (kind, key).
    key          TEXT,
    payload      TEXT NOT NULL DEFAULT '',
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT NOT NULL DEFAULT '',
    done_at      INTEGER,
    failed_at    INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_key ON jobs (kind, key);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL AND failed_at IS NULL;
