-- Subscriptions: readers follow a debate, a thread or the replies to their
-- own comment, by mail, immediately or in a daily or weekly digest.

-- Every address Parley may mail about subscriptions, with its consent:
-- confirmed by a double opt-in, and suppressed (no mail at all, until it
-- confirms again) after it unsubscribed from everything or bounced.
CREATE TABLE addresses (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    language        TEXT NOT NULL DEFAULT '',
    confirmed_at    INTEGER,
    -- confirm_sent_at is when the last confirmation mail went out: at most one a day.
    confirm_sent_at INTEGER,
    suppressed_at   INTEGER,
    suppressed_why  TEXT NOT NULL DEFAULT '' CHECK (suppressed_why IN ('', 'unsubscribed', 'bounced')),
    created_at      INTEGER NOT NULL
);

CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    address_id  INTEGER NOT NULL REFERENCES addresses (id) ON DELETE CASCADE,
    debate_id   INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    -- scope: every new comment of the debate, every reply in one thread
    -- (comment_id is its top-level comment), or replies to one comment and
    -- mentions of its author (comment_id is that comment); 0 for the debate.
    scope       TEXT NOT NULL CHECK (scope IN ('debate', 'thread', 'replies')),
    comment_id  INTEGER NOT NULL DEFAULT 0,
    delivery    TEXT NOT NULL DEFAULT 'immediate' CHECK (delivery IN ('immediate', 'daily', 'weekly')),
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE UNIQUE INDEX subscriptions_one ON subscriptions (address_id, debate_id, scope, comment_id);
-- The subscribers of one debate, thread or comment, for fanning out a comment.
CREATE INDEX subscriptions_target ON subscriptions (debate_id, scope, comment_id) WHERE ended_at IS NULL;

-- Comments waiting for a digest subscriber's next digest.
CREATE TABLE digest_items (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    comment_id      INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, comment_id)
);
