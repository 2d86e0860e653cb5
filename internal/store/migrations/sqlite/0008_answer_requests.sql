-- The editorial pipeline: editors send a question to experts, each by a
-- private link; an expert's answer arrives as a draft the editors may edit
-- lightly before publishing it.
-- Kept in step with migrations/postgres/0008_answer_requests.sql (see 0001_core.sql).

-- One request a question and expert. The expert's link is signed with the
-- site's key and names the request and its generation (the link is the
-- expert's key: no account needed); sending again starts a new generation,
-- which ends the links of the earlier ones, and revoking or expiry ends it.
-- reminders counts the reminders mailed (at most two), which carry the
-- same link.
CREATE TABLE answer_requests (
    id               INTEGER PRIMARY KEY,
    question_id      INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    expert_id        INTEGER NOT NULL REFERENCES experts (id) ON DELETE CASCADE,
    generation       INTEGER NOT NULL DEFAULT 1,
    sent_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    sent_at          INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    revoked_at       INTEGER,
    reminders        INTEGER NOT NULL DEFAULT 0,
    reminded_at      INTEGER,
    answered_at      INTEGER,
    renewal_asked_at INTEGER,
    UNIQUE (question_id, expert_id)
);
-- Requests still waiting for an answer, for the reminder sweep.
CREATE INDEX answer_requests_waiting ON answer_requests (sent_at) WHERE answered_at IS NULL AND revoked_at IS NULL;

-- The expert's own words as they sent them, so that they can see what the
-- editors changed; and when.
ALTER TABLE answers ADD COLUMN submitted_md TEXT NOT NULL DEFAULT '';
ALTER TABLE answers ADD COLUMN submitted_at INTEGER;

-- Published answers waiting for a subscriber's digest, as digest_items
-- holds comments.
CREATE TABLE digest_answers (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    answer_id       INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    address_id      INTEGER NOT NULL REFERENCES addresses (id) ON DELETE CASCADE,
    delivery        TEXT NOT NULL CHECK (delivery IN ('daily', 'weekly')),
    due_at          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, answer_id)
);
CREATE INDEX digest_answers_due ON digest_answers (due_at, address_id, delivery);

-- A reader's reply to an expert's answer sits in the thread under the
-- comment the answer answers, and names the answer.
ALTER TABLE comments ADD COLUMN reply_to_answer_id INTEGER REFERENCES answers (id) ON DELETE SET NULL;
