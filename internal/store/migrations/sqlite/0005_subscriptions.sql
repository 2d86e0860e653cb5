-- Subscriptions: readers follow a debate, a thread or the replies to their
-- own comment, by mail, immediately or in a daily or weekly digest.

-- Every address Parley may mail about subscriptions: suppressed (no mail
-- at all, until it confirms again) after it unsubscribed from everything
-- or bounced.
CREATE TABLE addresses (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    language        TEXT NOT NULL DEFAULT '',
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
    -- confirmed_at is the owner's consent to this subscription (a double
    -- opt-in, or the request of their confirmed account); no mail before it.
    confirmed_at INTEGER,
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE UNIQUE INDEX subscriptions_one ON subscriptions (address_id, debate_id, scope, comment_id);
-- The subscribers of one debate, thread or comment, for fanning out a comment.
CREATE INDEX subscriptions_target ON subscriptions (debate_id, scope, comment_id) WHERE ended_at IS NULL;

-- Comments waiting for a digest, each with the digest it goes in (the
-- delivery when it came, and when that digest is due), so that changing a
-- subscription's delivery strands nothing.
CREATE TABLE digest_items (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    comment_id      INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    address_id      INTEGER NOT NULL REFERENCES addresses (id) ON DELETE CASCADE,
    delivery        TEXT NOT NULL CHECK (delivery IN ('daily', 'weekly')),
    due_at          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, comment_id)
);
-- The digests that are due, for the sweep that sends them.
CREATE INDEX digest_items_due ON digest_items (due_at, address_id, delivery);
