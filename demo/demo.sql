-- softdelete demo: plain SQL, no WHERE deleted_at IS NULL anywhere.
\pset null '(null)'
CREATE EXTENSION softdelete;

CREATE TABLE account (id int PRIMARY KEY, owner text);
CREATE TABLE card (id int PRIMARY KEY, account_id int REFERENCES account, last4 text);
INSERT INTO account VALUES (1, 'ann'), (2, 'bob'), (3, 'cid');
INSERT INTO card VALUES (10, 1, '1111'), (11, 2, '2222'), (12, 1, '3333');

-- Enable soft delete: a deleted_at column is added to each table.
SELECT softdelete.enable('account');
SELECT softdelete.enable('card');

-- A plain DELETE.  The command tag still says DELETE 1; the row is kept.
DELETE FROM card WHERE id = 11;
DELETE FROM account WHERE owner = 'cid';

-- Every query sees only live rows.
SELECT * FROM card ORDER BY id;

-- The outer-join trap: bob's only card is deleted.  Bob must still be
-- listed, without a card.  softdelete puts the filter where a careful human
-- would: in the ON clause of the nullable side.
SELECT a.owner, c.last4
  FROM account a LEFT JOIN card c ON c.account_id = a.id
 ORDER BY a.owner, c.last4;

-- The usual hand-written filter, in WHERE, loses bob (shown with the
-- extension's filter off, as if there were no extension):
SET softdelete.include_deleted = on;
SELECT a.owner, c.last4
  FROM account a LEFT JOIN card c ON c.account_id = a.id
 WHERE a.deleted_at IS NULL AND c.deleted_at IS NULL
 ORDER BY a.owner, c.last4;
RESET softdelete.include_deleted;

-- EXPLAIN shows the filter as an ordinary scan qual.
EXPLAIN (COSTS OFF)
SELECT a.owner, c.last4 FROM account a LEFT JOIN card c ON c.account_id = a.id;

-- The bypass: see everything, with the stamps.
SET softdelete.include_deleted = on;
SELECT id, account_id, last4, deleted_at IS NOT NULL AS deleted FROM card ORDER BY id;
SELECT id, owner, deleted_at IS NOT NULL AS deleted FROM account ORDER BY id;
RESET softdelete.include_deleted;

-- Bring rows back.
SELECT softdelete.restore('card', 'id = 11') AS restored;
SELECT a.owner, c.last4
  FROM account a LEFT JOIN card c ON c.account_id = a.id
 ORDER BY a.owner, c.last4;

-- TRUNCATE would destroy everything: refused.
\set ON_ERROR_STOP 0
TRUNCATE card;
\set ON_ERROR_STOP 1

-- Erase for good what was deleted (GDPR): purge.
SELECT softdelete.purge('account') AS purged;
SELECT * FROM softdelete.tables ORDER BY table_name::text;

-- Archive mode: deleted rows leave the table for an archive table, and with
-- versions every past version of a row is kept.
CREATE TABLE invoice (id int PRIMARY KEY, customer text, amount numeric);
INSERT INTO invoice VALUES (1, 'Ada', 120), (2, 'Grace', 80), (3, 'Linus', 45);
SELECT softdelete.enable_archive('invoice', versions => true) AS archive;
UPDATE invoice SET amount = 90 WHERE id = 2;
DELETE FROM invoice WHERE id = 3 RETURNING id, customer;
SELECT id, customer FROM invoice ORDER BY id;
SELECT id, customer, amount, archive_op FROM invoice_archive ORDER BY archive_id;
SELECT softdelete.restore('invoice', 'id = 3') AS restored;
SELECT id, customer, amount FROM invoice ORDER BY id;

-- Foreign keys are honoured: ON DELETE CASCADE soft-deletes the children
-- with the parent (same stamp), a deleted parent cannot get new children,
-- and restoring the parent brings back exactly the children deleted with it.
CREATE TABLE project (id int PRIMARY KEY, name text);
CREATE TABLE task (id int PRIMARY KEY,
	project_id int REFERENCES project ON DELETE CASCADE, title text);
INSERT INTO project VALUES (1, 'launch'), (2, 'docs');
INSERT INTO task VALUES (1, 1, 'build'), (2, 1, 'ship'), (3, 2, 'write');
SELECT softdelete.enable('task');
SELECT softdelete.enable('project');
DELETE FROM task WHERE id = 2;			-- deleted on its own, earlier
SELECT pg_sleep(0.01);
BEGIN;
DELETE FROM project WHERE id = 1;		-- task 1 goes with it
COMMIT;
SELECT * FROM task ORDER BY id;
\set ON_ERROR_STOP 0
INSERT INTO task VALUES (4, 1, 'party');	-- project 1 does not exist any more
\set ON_ERROR_STOP 1
SELECT softdelete.restore('project', 'id = 1') AS restored;
SELECT id, project_id, title FROM task ORDER BY id;	-- task 2 stays deleted
