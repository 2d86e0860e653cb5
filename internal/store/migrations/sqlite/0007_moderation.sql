-- Moderation: per-debate policy, what the spam defence found about each
-- comment, readers' reports, every moderator's decision, appeals, bans, and
-- the spam/not-spam decisions the classifier learns from.
-- Kept in step with migrations/postgres/0007_moderation.sql (see 0001_core.sql).

-- Policy. hold_for_review (0001) pre-moderates everyone; hold_first_time
-- holds authors without an approved comment yet. Word lists hold one term
-- a line, as the moderators wrote them.
ALTER TABLE debates ADD COLUMN hold_first_time BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE debates ADD COLUMN max_links INTEGER NOT NULL DEFAULT 2;
ALTER TABLE debates ADD COLUMN hold_words TEXT NOT NULL DEFAULT '';
ALTER TABLE debates ADD COLUMN reject_words TEXT NOT NULL DEFAULT '';
ALTER TABLE debates ADD COLUMN report_threshold INTEGER NOT NULL DEFAULT 3;

-- What the spam defence found: the classifier's score in millionths (NULL when not
-- scored) and the features that drove it (JSON), and why the comment was
-- held, one reason a line. ip is the poster's address, cleared after the
-- retention period; ip_hash and net_hash are keyed hashes of the address
-- and its network that stay, for bans and the author's history. body_hash
-- is a keyed hash of the normalised text, for finding duplicates.
ALTER TABLE comments ADD COLUMN spam_score INTEGER;
ALTER TABLE comments ADD COLUMN spam_features TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN hold_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN ip TEXT;
ALTER TABLE comments ADD COLUMN ip_hash TEXT;
ALTER TABLE comments ADD COLUMN net_hash TEXT;
ALTER TABLE comments ADD COLUMN body_hash TEXT;
CREATE INDEX comments_status ON comments (status, id);
CREATE INDEX comments_body_hash ON comments (body_hash) WHERE body_hash IS NOT NULL;
CREATE INDEX comments_net_hash ON comments (net_hash) WHERE net_hash IS NOT NULL;
CREATE INDEX comments_author_email ON comments (author_email, status);
CREATE INDEX comments_ip ON comments (created_at) WHERE ip IS NOT NULL;

-- A reader's report of a comment; one per reporter (a keyed hash of their
-- account or network) and comment. resolved_at is set by the moderator's
-- decision on the comment.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    comment_id   INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    reason       TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'illegal', 'other')),
    detail       TEXT NOT NULL DEFAULT '',
    reporter_key TEXT NOT NULL,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    UNIQUE (comment_id, reporter_key)
);
CREATE INDEX reports_open ON reports (comment_id) WHERE resolved_at IS NULL;
CREATE INDEX reports_user ON reports (user_id) WHERE user_id IS NOT NULL;

-- Every moderation action, for the audit log: who (NULL actor for the
-- site itself, as when reports hide a comment), when, what and why.
CREATE TABLE moderation_actions (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    debate_id   INTEGER REFERENCES debates (id) ON DELETE SET NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX moderation_actions_comment ON moderation_actions (comment_id, id);
CREATE INDEX moderation_actions_debate ON moderation_actions (debate_id, id);
CREATE INDEX moderation_actions_actor ON moderation_actions (actor_id) WHERE actor_id IS NOT NULL;

-- An author's appeal against the removal of their comment: one a comment.
CREATE TABLE appeals (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL UNIQUE REFERENCES comments (id) ON DELETE CASCADE,
    action_id   INTEGER REFERENCES moderation_actions (id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    decided_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    outcome     TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'upheld', 'reversed')),
    outcome_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appeals_open ON appeals (created_at) WHERE decided_at IS NULL;

-- Bans: an account (value is its id), an email address (normalised) or a
-- network (the keyed hash of comments.net_hash). label describes it to
-- moderators without the raw address.
CREATE TABLE bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'email', 'network')),
    value      TEXT NOT NULL,
    label      TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    UNIQUE (kind, value)
);

-- The spam/not-spam decisions of moderators, in order, with the text they
-- were about (the comment may be deleted later): every node replays them
-- into the built-in model on start and learns new ones as they come.
CREATE TABLE spam_lessons (
    id         INTEGER PRIMARY KEY,
    comment_id INTEGER,
    body       TEXT NOT NULL,
    links      INTEGER NOT NULL DEFAULT 0,
    spam       BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL
);
