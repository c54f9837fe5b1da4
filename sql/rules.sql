-- Rules on enabled tables.  restore and purge act on exactly the rows asked,
-- and DO ALSO rules fire as for the plain UPDATE / DELETE they run, seeing
-- the rows restored or erased (the rewriter runs a rule's actions before
-- the statement, and plans them together); a restore cascade reaches a
-- child that has such a rule.  A rule action that deletes from another
-- enabled table soft-deletes there.
CREATE SCHEMA ru;
SET search_path = ru, public;
CREATE TABLE r (id int PRIMARY KEY);
CREATE TABLE audit (id int, what text);
INSERT INTO r VALUES (1), (2), (3);
SELECT softdelete.enable('r');
CREATE RULE r_upd AS ON UPDATE TO r DO ALSO INSERT INTO audit VALUES (OLD.id, 'u');
CREATE RULE r_del AS ON DELETE TO r DO ALSO INSERT INTO audit VALUES (OLD.id, 'd');
DELETE FROM r WHERE id IN (1, 2);
SELECT * FROM audit ORDER BY id, what;
TRUNCATE audit;
SELECT softdelete.restore('r', 'id = 1');
SELECT id FROM r ORDER BY id;
-- the rule saw the restored row, as a plain UPDATE's rule does
SELECT * FROM audit ORDER BY id, what;
TRUNCATE audit;
-- a restore's filter is still read as the caller reads the table
SELECT softdelete.restore('r', 'id IN (SELECT id FROM ru.r)');
SELECT softdelete.purge('r');
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM r ORDER BY id;
RESET softdelete.include_deleted;
SELECT * FROM audit ORDER BY id, what;
TRUNCATE audit;

-- a restore cascade into a child with an UPDATE rule
CREATE TABLE c (id int PRIMARY KEY, rid int REFERENCES r ON DELETE CASCADE);
INSERT INTO c VALUES (10, 1), (11, 1), (30, 3);
SELECT softdelete.enable('c');
CREATE RULE c_upd AS ON UPDATE TO c DO ALSO INSERT INTO audit VALUES (OLD.id, 'c');
DELETE FROM r WHERE id = 1;
SELECT id FROM c ORDER BY id;
SELECT softdelete.restore('r', 'id = 1');
SELECT id FROM c ORDER BY id;
SELECT * FROM audit ORDER BY id, what;
TRUNCATE audit;

-- a DO ALSO DELETE on another enabled table, fired by purge: a soft delete
-- there, not an erasure
CREATE TABLE other (id int PRIMARY KEY);
INSERT INTO other VALUES (3);
SELECT softdelete.enable('other');
CREATE RULE r_del_other AS ON DELETE TO r DO ALSO DELETE FROM other WHERE id = OLD.id;
DELETE FROM r WHERE id = 3;
SELECT softdelete.purge('r');
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM other;
SELECT id FROM r ORDER BY id;
RESET softdelete.include_deleted;

-- DO INSTEAD NOTHING rules: restore and purge change nothing, and say so
CREATE RULE r_upd_nothing AS ON UPDATE TO r DO INSTEAD NOTHING;
DELETE FROM r WHERE id = 1;
SELECT softdelete.restore('r', 'id = 1');
SELECT id FROM r ORDER BY id;
DROP RULE r_upd_nothing ON r;
CREATE RULE r_del_nothing AS ON DELETE TO r DO INSTEAD NOTHING;
SELECT softdelete.purge('r');
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM r ORDER BY id;
RESET softdelete.include_deleted;

RESET search_path;
DROP SCHEMA ru CASCADE;
