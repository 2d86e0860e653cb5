-- Full-text search over debates and comments (/search), with FTS5.
-- Kept in step with migrations/postgres/0011_search.sql, which does the same
-- with GIN indexes: each database searches in its own way, so the schema
-- test leaves *_search out.
--
-- The indexes hold text only (contentless), kept in step by triggers on
-- every insert, edit, deletion and status change, whichever code makes it.
-- Only approved comments that their author has not deleted are indexed;
-- debates are all indexed, and a search shows public ones only.
CREATE VIRTUAL TABLE comments_search USING fts5 (
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO comments_search (rowid, body)
    SELECT id, body_md FROM comments WHERE status = 'approved' AND deleted_at IS NULL;

CREATE TRIGGER comments_search_insert AFTER INSERT ON comments
WHEN new.status = 'approved' AND new.deleted_at IS NULL
BEGIN
    INSERT INTO comments_search (rowid, body) VALUES (new.id, new.body_md);
END;

CREATE TRIGGER comments_search_update AFTER UPDATE OF status, body_md, deleted_at ON comments
BEGIN
    DELETE FROM comments_search WHERE rowid = old.id;
    INSERT INTO comments_search (rowid, body)
        SELECT new.id, new.body_md WHERE new.status = 'approved' AND new.deleted_at IS NULL;
END;

CREATE TRIGGER comments_search_delete AFTER DELETE ON comments
BEGIN
    DELETE FROM comments_search WHERE rowid = old.id;
END;

CREATE VIRTUAL TABLE debates_search USING fts5 (
    title, question, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO debates_search (rowid, title, question, body) SELECT id, title, question, body_md FROM debates;

CREATE TRIGGER debates_search_insert AFTER INSERT ON debates
BEGIN
    INSERT INTO debates_search (rowid, title, question, body) VALUES (new.id, new.title, new.question, new.body_md);
END;

CREATE TRIGGER debates_search_update AFTER UPDATE OF title, question, body_md ON debates
BEGIN
    DELETE FROM debates_search WHERE rowid = old.id;
    INSERT INTO debates_search (rowid, title, question, body) VALUES (new.id, new.title, new.question, new.body_md);
END;

CREATE TRIGGER debates_search_delete AFTER DELETE ON debates
BEGIN
    DELETE FROM debates_search WHERE rowid = old.id;
END;
