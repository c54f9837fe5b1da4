-- Unique keys hold the values of soft-deleted rows: enable reports each one,
-- and with replace_unique => true makes each one that no foreign key needs
-- a unique index over live rows.  A restore whose key was taken meanwhile
-- fails with 23505 and changes nothing.
CREATE EXTENSION IF NOT EXISTS softdelete;

CREATE TABLE uk_user (id int PRIMARY KEY, email text UNIQUE, login text,
	team int, seat int, badge text, code text);
CREATE UNIQUE INDEX uk_user_login ON uk_user (lower(login));
CREATE UNIQUE INDEX uk_user_seat ON uk_user (team, seat) WHERE seat IS NOT NULL;
ALTER TABLE uk_user ADD CONSTRAINT uk_user_badge UNIQUE (badge) DEFERRABLE;
ALTER TABLE uk_user ADD CONSTRAINT uk_user_code UNIQUE (code);
CREATE TABLE uk_login_log (id int PRIMARY KEY, code text REFERENCES uk_user (code));

-- reported, nothing changed
SELECT softdelete.enable('uk_user');
SELECT indexrelid::regclass, pg_get_expr(indpred, indrelid) FROM pg_index
	WHERE indrelid = 'uk_user'::regclass ORDER BY indexrelid::regclass::text;
INSERT INTO uk_user VALUES (1, 'a@x', 'Ann', 1, 1, 'b1', 'c1');
DELETE FROM uk_user WHERE id = 1;
INSERT INTO uk_user VALUES (2, 'a@x', 'ann2', 1, 2, 'b2', 'c2');
\echo :LAST_ERROR_SQLSTATE

-- replaced: the same names, over live rows; kept where needed or deferrable
SELECT softdelete.enable('uk_user', replace_unique => true);
SELECT indexrelid::regclass, indisunique, pg_get_expr(indpred, indrelid) FROM pg_index
	WHERE indrelid = 'uk_user'::regclass ORDER BY indexrelid::regclass::text;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'uk_user'::regclass
   AND contype IN ('p', 'u') ORDER BY 1;

-- a deleted row's values can be taken again
INSERT INTO uk_user VALUES (2, 'a@x', 'ANN', 1, 1, 'b2', 'c2');
\echo :ROW_COUNT
-- but not twice among live rows
INSERT INTO uk_user VALUES (3, 'a@x', 'bob', 2, 1, 'b3', 'c3');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO uk_user VALUES (3, 'b@x', 'ann', 2, 1, 'b3', 'c3');
\echo :LAST_ERROR_SQLSTATE
-- ON CONFLICT (email) finds the index over live rows (the planner hook adds
-- its predicate to the arbiter's WHERE)
INSERT INTO uk_user VALUES (4, 'a@x', 'cid', 3, 1, 'b4', 'c4')
	ON CONFLICT (email) DO UPDATE SET login = excluded.login;
INSERT INTO uk_user VALUES (4, 'a@x', 'dan', 3, 1, 'b4', 'c4')
	ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING;
\echo :ROW_COUNT
SELECT id, email, login FROM uk_user ORDER BY id;

-- restoring row 1 would give 'a@x' twice: 23505, nothing changes
SELECT softdelete.restore('uk_user', 'id = 1');
\echo :LAST_ERROR_SQLSTATE
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM uk_user ORDER BY id;
RESET softdelete.include_deleted;
-- once the live row gives the value up, the restore works
UPDATE uk_user SET email = 'ann@x', login = 'ann-new', seat = 2 WHERE id = 2;
SELECT softdelete.restore('uk_user', 'id = 1');
SELECT id, email, login FROM uk_user ORDER BY id;

-- an index already over live rows is left alone, and not reported
CREATE TABLE uk_tag (id int PRIMARY KEY, name text, deleted_at timestamptz);
CREATE UNIQUE INDEX uk_tag_name ON uk_tag (name) WHERE deleted_at IS NULL;
SELECT softdelete.enable('uk_tag', replace_unique => true);
SELECT pg_get_indexdef('uk_tag_name'::regclass);

-- the argument must not be NULL
SELECT softdelete.enable('uk_tag', 'deleted_at', NULL);

-- clean up (other files read the registry)
DROP TABLE uk_login_log, uk_user, uk_tag;
