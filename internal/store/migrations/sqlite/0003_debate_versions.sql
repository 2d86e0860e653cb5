-- Every transaction that changes what a debate's pages show bumps its
-- version, so a node can check with one read that a cached page is current.
ALTER TABLE debates ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
