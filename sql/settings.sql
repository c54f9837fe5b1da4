-- softdelete.include_deleted and softdelete.hard_delete as ordinary
-- settings: per session, SET LOCAL, per role and per database; validated.
\set me :USER
CREATE TABLE st (id int PRIMARY KEY);
INSERT INTO st SELECT generate_series(1, 4);
SELECT softdelete.enable('st');
DELETE FROM st WHERE id > 2;
CREATE ROLE sd_auditor LOGIN;
GRANT SELECT ON st TO sd_auditor;

SHOW softdelete.include_deleted;
SHOW softdelete.hard_delete;

-- SET LOCAL lasts until the end of the transaction
BEGIN;
SET LOCAL softdelete.include_deleted = on;
SELECT count(*) FROM st;
COMMIT;
SELECT count(*) FROM st;

-- per role: an auditor sees every row from login on, once the owner
-- granted it (security.sql); before, the setting is refused, not ignored
ALTER ROLE sd_auditor SET softdelete.include_deleted = on;
\c - sd_auditor
SHOW softdelete.include_deleted;
SELECT count(*) FROM st;
\c - :me
SELECT softdelete.grant_access('st', 'sd_auditor', 'read_deleted');
\c - sd_auditor
SELECT count(*) FROM st;
\c - :me
SELECT count(*) FROM st;

-- per database
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET softdelete.include_deleted = on;
\c
SELECT count(*) FROM st;
ALTER DATABASE :"db" RESET softdelete.include_deleted;
\c
SELECT count(*) FROM st;

-- values are validated wherever they are set
\set VERBOSITY terse
ALTER ROLE sd_auditor SET softdelete.include_deleted = 'sometimes';
ALTER ROLE sd_auditor SET softdelete.include_delted = on;
SET softdelete.hard_delete = 2;
SELECT set_config('softdelete.include_deleted', 'yes please', false);
\set VERBOSITY default
SHOW softdelete.include_deleted;
-- the usual spellings of a boolean are accepted
SET softdelete.include_deleted = 'yes';
SHOW softdelete.include_deleted;
SET softdelete.include_deleted = 0;
SHOW softdelete.include_deleted;
RESET softdelete.include_deleted;

DROP TABLE st;
DROP ROLE sd_auditor;
