-- Core: debates, threaded comments, experts and their answers.
-- Timestamps are Unix milliseconds in both databases, so one set of queries
-- and scanners serves SQLite and PostgreSQL alike.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE debates (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    question        TEXT NOT NULL,
    body_md         TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    image_url       TEXT NOT NULL DEFAULT '',
    image_credit    TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
    hold_for_review BOOLEAN NOT NULL DEFAULT FALSE,
    published_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    comment_count   INTEGER NOT NULL DEFAULT 0,
    last_comment_at INTEGER
);
CREATE INDEX debates_listing ON debates (status, published_at, id);

CREATE TABLE debate_topics (
    debate_id INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    topic     TEXT NOT NULL,
    PRIMARY KEY (debate_id, topic)
);
CREATE INDEX debate_topics_topic ON debate_topics (topic);

CREATE TABLE comments (
    id             INTEGER PRIMARY KEY,
    debate_id      INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    parent_id      INTEGER REFERENCES comments (id),
    root_id        INTEGER NOT NULL,
    reply_to_id    INTEGER REFERENCES comments (id),
    depth          INTEGER NOT NULL DEFAULT 0,
    author_name    TEXT NOT NULL,
    author_email   TEXT NOT NULL,
    avatar_key     TEXT NOT NULL,
    body_md        TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'trash')),
    language       TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    submission_key TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- A resubmitted form (refresh, back button, retry) finds its first comment.
CREATE UNIQUE INDEX comments_submission ON comments (debate_id, submission_key);
-- One page of top-level threads, by cursor.
CREATE INDEX comments_roots ON comments (debate_id, depth, status, id);
-- Every comment of a range of threads, without loading the whole debate.
CREATE INDEX comments_threads ON comments (debate_id, root_id, id);
-- Newest approved comments, for feeds.
CREATE INDEX comments_recent ON comments (debate_id, status, id);

CREATE TABLE experts (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL DEFAULT '',
    affiliation     TEXT NOT NULL DEFAULT '',
    portrait_url    TEXT NOT NULL DEFAULT '',
    portrait_credit TEXT NOT NULL DEFAULT '',
    bio_md          TEXT NOT NULL DEFAULT '',
    bio_html        TEXT NOT NULL DEFAULT '',
    contact_email   TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE questions (
    id           INTEGER PRIMARY KEY,
    debate_id    INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    comment_id   INTEGER NOT NULL REFERENCES comments (id),
    position     INTEGER NOT NULL DEFAULT 0,
    framing_md   TEXT NOT NULL DEFAULT '',
    framing_html TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (debate_id, comment_id)
);

CREATE TABLE answers (
    id           INTEGER PRIMARY KEY,
    question_id  INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    expert_id    INTEGER NOT NULL REFERENCES experts (id),
    lead_in      TEXT NOT NULL DEFAULT '',
    body_md      TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (question_id, expert_id)
);
CREATE INDEX answers_expert ON answers (expert_id);
