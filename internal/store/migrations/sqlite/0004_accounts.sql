-- Accounts: people with roles, their sessions, emailed links and API tokens;
-- partner organisations and the image library of the editors' console.
-- Secrets are never stored: sessions, links and tokens are kept as SHA-256
-- hashes of what the browser or client holds.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    -- email is stored lower-cased, so one address has one account.
    email             TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL DEFAULT '',
    -- password_hash is an argon2id PHC string, '' for passwordless accounts.
    password_hash     TEXT NOT NULL DEFAULT '',
    role              TEXT NOT NULL DEFAULT 'participant'
                      CHECK (role IN ('participant', 'expert', 'moderator', 'editor', 'admin')),
    email_verified_at INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time links sent by email: verify an address, reset a password, sign in.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'signin')),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- password_hash is the password chosen with a sign-up for an address
    -- that has an unconfirmed account: it becomes the account's password
    -- only if this link, sent to that address, is used.
    password_hash TEXT NOT NULL DEFAULT '',
    used_at    INTEGER
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    -- prefix is the token's first characters, to tell tokens apart in lists.
    prefix       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins per account and per client network, for a growing delay.
CREATE TABLE sign_in_failures (
    key        TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    last_at    INTEGER NOT NULL
);

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',
    logo_url   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Images uploaded through the console; the file lives in the media directory.
CREATE TABLE uploads (
    name         TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    credit       TEXT NOT NULL DEFAULT '',
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL
);

-- Debates: who may comment, and when a draft publishes itself.
ALTER TABLE debates ADD COLUMN accounts_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE debates ADD COLUMN publish_at INTEGER;
CREATE INDEX debates_scheduled ON debates (publish_at) WHERE publish_at IS NOT NULL;

-- Comments: the account that wrote one, and its edits and deletion.
ALTER TABLE comments ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN edited_at INTEGER;
ALTER TABLE comments ADD COLUMN deleted_at INTEGER;
CREATE INDEX comments_user ON comments (user_id, id) WHERE user_id IS NOT NULL;
