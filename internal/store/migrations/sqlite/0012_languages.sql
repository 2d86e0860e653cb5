-- Languages: the account's interface language, a debate's own language and
-- the human translations editors add of debates and expert answers, and the
-- translations of comments (machine ones, cached per provider, and human
-- ones by editors, provider 'human'), with the characters sent to the
-- translation provider each day, which its daily budget bounds.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE debates ADD COLUMN language TEXT NOT NULL DEFAULT '';

CREATE TABLE debate_translations (
    debate_id     INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
    language      TEXT NOT NULL,
    title         TEXT NOT NULL,
    question      TEXT NOT NULL,
    body_md       TEXT NOT NULL DEFAULT '',
    body_html     TEXT NOT NULL DEFAULT '',
    image_credit  TEXT NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (debate_id, language)
);

-- The editors' framing line of each featured question, in the same language.
CREATE TABLE question_translations (
    question_id   INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    language      TEXT NOT NULL,
    framing_md    TEXT NOT NULL,
    framing_html  TEXT NOT NULL,
    PRIMARY KEY (question_id, language)
);

CREATE TABLE answer_translations (
    answer_id   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    lead_in     TEXT NOT NULL DEFAULT '',
    body_md     TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (answer_id, language)
);

CREATE TABLE comment_translations (
    comment_id  INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (comment_id, language, provider)
);

CREATE TABLE translation_usage (
    day         TEXT PRIMARY KEY,
    characters  BIGINT NOT NULL DEFAULT 0
);

-- A comment's translations translate its old text: an edit drops them,
-- whichever code makes it.
CREATE TRIGGER comment_translations_drop AFTER UPDATE OF body_md ON comments
WHEN new.body_md <> old.body_md
BEGIN
    DELETE FROM comment_translations WHERE comment_id = old.id;
END;
