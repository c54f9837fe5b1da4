-- Row-level security and soft delete: a soft DELETE is checked against the
-- table's DELETE policies (not its UPDATE policies), and the filter combines
-- with the SELECT policies.
CREATE ROLE sd_rls_user;
CREATE TABLE doc (id int PRIMARY KEY, owner text, body text);
INSERT INTO doc VALUES (1, 'sd_rls_user', 'mine'), (2, 'other', 'theirs'),
                       (3, 'sd_rls_user', 'mine too');
SELECT softdelete.enable('doc');
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY doc_select ON doc FOR SELECT USING (true);
CREATE POLICY doc_delete ON doc FOR DELETE USING (owner = current_user);
-- no UPDATE policy at all: a real UPDATE by the role changes nothing
GRANT SELECT, DELETE, UPDATE ON doc TO sd_rls_user;

SET ROLE sd_rls_user;
UPDATE doc SET body = 'x';          -- UPDATE 0: no UPDATE policy
DELETE FROM doc;                    -- only the role's own rows: DELETE 2
SELECT id, owner, body FROM doc ORDER BY id;
RESET ROLE;

SET softdelete.include_deleted = on;
SELECT id, owner, deleted_at IS NOT NULL AS deleted FROM doc ORDER BY id;
RESET softdelete.include_deleted;

DROP TABLE doc;
DROP ROLE sd_rls_user;
