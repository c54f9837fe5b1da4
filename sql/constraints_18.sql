-- What PostgreSQL 18 added to constraints and columns, on enabled tables:
-- NOT ENFORCED checks (never checked, a soft delete neither), virtual
-- generated columns (in checks, in archives), and NOT NULL ... NOT VALID,
-- which a soft delete cannot leave out: PostgreSQL checks NOT NULL on every
-- row an UPDATE writes, so such a row fails with core's not-null violation
-- (README, Caveats).
SELECT current_setting('server_version_num')::int < 180000 AS before_18 \gset
\if :before_18
\echo 'NOT ENFORCED, NOT NULL ... NOT VALID and virtual generated columns are new in PostgreSQL 18'
\quit
\endif
CREATE SCHEMA c18;
SET search_path = c18, public;

CREATE TABLE t (id int PRIMARY KEY, v text, w int);
INSERT INTO t VALUES (1, NULL, 1), (2, 'x', 2), (3, 'y', 3);
ALTER TABLE t ADD CONSTRAINT w_big CHECK (w > 5) NOT ENFORCED;
ALTER TABLE t ADD CONSTRAINT v_nn NOT NULL v NOT VALID;
SELECT softdelete.enable('t');
DELETE FROM t WHERE id = 2;
SELECT softdelete.restore('t');
\set VERBOSITY terse
DELETE FROM t WHERE id = 1;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
-- set the column, or delete such a row physically
SET softdelete.hard_delete = on;
DELETE FROM t WHERE id = 1;
RESET softdelete.hard_delete;
SELECT id FROM t ORDER BY id;

-- virtual generated columns: in a check, and through an archive
CREATE TABLE g (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) VIRTUAL,
	CHECK (twice < 100));
INSERT INTO g VALUES (1, 10), (2, 20);
ALTER TABLE g ADD CONSTRAINT small CHECK (twice < 30) NOT VALID;
SELECT softdelete.enable('g');
DELETE FROM g;
SELECT softdelete.restore('g');
SELECT * FROM g ORDER BY id;
CREATE TABLE ga (id int PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) VIRTUAL);
INSERT INTO ga VALUES (1, 10);
SELECT softdelete.enable_archive('ga');
DELETE FROM ga;
SELECT id, a, twice FROM ga_archive;
SELECT softdelete.restore('ga');
SELECT * FROM ga;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA c18 CASCADE;
RESET client_min_messages;
