-- Full-text search over debates and comments (/search), with GIN indexes.
-- Kept in step with migrations/sqlite/0011_search.sql, which does the same
-- with FTS5: each database searches in its own way, so the schema test
-- leaves *_search out.
--
-- Expression indexes follow every insert, edit, deletion and status change
-- by themselves. The 'simple' configuration neither stems nor drops words:
-- comments come in many languages. Search queries (store/search.go) repeat
-- these expressions exactly, so that PostgreSQL uses the indexes.
CREATE INDEX comments_search ON comments USING gin (to_tsvector('simple', body_md))
    WHERE status = 'approved' AND deleted_at IS NULL;
CREATE INDEX debates_search ON debates USING gin (to_tsvector('simple', title || ' ' || question || ' ' || body_md));
