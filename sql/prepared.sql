-- Prepared statements and cached plans follow the settings in force when
-- they execute, and the enabling or disabling of a table.
CREATE TABLE pr_item (id int PRIMARY KEY, name text);
INSERT INTO pr_item SELECT g, 'n' || g FROM generate_series(1, 6) g;
SELECT softdelete.enable('pr_item');
DELETE FROM pr_item WHERE id IN (2, 5);

-- PREPARE without parameters: one generic plan, reused
PREPARE pr_all AS SELECT string_agg(id::text, ',' ORDER BY id) AS ids FROM pr_item;
EXECUTE pr_all;
EXECUTE pr_all;
EXECUTE pr_all;
EXECUTE pr_all;
EXECUTE pr_all;
EXECUTE pr_all;
EXECUTE pr_all;
SET softdelete.include_deleted = on;
EXECUTE pr_all;
RESET softdelete.include_deleted;
EXECUTE pr_all;
SET softdelete.include_deleted = on;
EXECUTE pr_all;
SET softdelete.include_deleted = off;
EXECUTE pr_all;
SELECT generic_plans > 0 AS reused_generic_plan FROM pg_prepared_statements
 WHERE name = 'pr_all';

-- with a parameter, under force_generic_plan
SET plan_cache_mode = force_generic_plan;
PREPARE pr_from(int) AS
	SELECT string_agg(id::text, ',' ORDER BY id) AS ids FROM pr_item WHERE id >= $1;
EXECUTE pr_from(1);
EXECUTE pr_from(1);
EXECUTE pr_from(1);
EXECUTE pr_from(1);
EXECUTE pr_from(1);
EXECUTE pr_from(1);
EXECUTE pr_from(3);
SET softdelete.include_deleted = on;
EXECUTE pr_from(3);
RESET softdelete.include_deleted;
EXECUTE pr_from(3);
SELECT generic_plans > 0 AS generic, custom_plans AS custom
  FROM pg_prepared_statements WHERE name = 'pr_from';
RESET plan_cache_mode;

-- SET LOCAL lasts for the transaction; ROLLBACK or COMMIT restores filtering
BEGIN;
SET LOCAL softdelete.include_deleted = on;
EXECUTE pr_all;
ROLLBACK;
EXECUTE pr_all;
BEGIN;
SET LOCAL softdelete.include_deleted = on;
EXECUTE pr_all;
COMMIT;
EXECUTE pr_all;
-- SET (not LOCAL) inside a transaction that rolls back is undone too
BEGIN;
SET softdelete.include_deleted = on;
EXECUTE pr_all;
ROLLBACK;
SHOW softdelete.include_deleted;
EXECUTE pr_all;
-- set_config() changes it as SET does
SELECT set_config('softdelete.include_deleted', 'on', false);
EXECUTE pr_all;
SELECT set_config('softdelete.include_deleted', 'off', false);
EXECUTE pr_all;

-- PL/pgSQL caches its plans: the setting at each call decides
CREATE FUNCTION pr_ids() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	SELECT string_agg(id::text, ',' ORDER BY id) INTO r FROM pr_item;
	RETURN r;
END;
$$;
SELECT pr_ids();
SELECT pr_ids();
SELECT pr_ids();
SELECT pr_ids();
SELECT pr_ids();
SELECT pr_ids();
SELECT pr_ids();
SET softdelete.include_deleted = on;
SELECT pr_ids();
RESET softdelete.include_deleted;
SELECT pr_ids();
-- the setting changed inside the function, between two runs of one statement
CREATE FUNCTION pr_toggle() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text := '';
BEGIN
	FOR i IN 1..3 LOOP
		PERFORM set_config('softdelete.include_deleted',
						   CASE WHEN i = 2 THEN 'on' ELSE 'off' END, true);
		r := r || '[' || pr_ids() || ']';
	END LOOP;
	RETURN r;
END;
$$;
BEGIN;
SELECT pr_toggle();
SELECT pr_toggle();
COMMIT;
SHOW softdelete.include_deleted;

-- a prepared DELETE follows hard_delete
PREPARE pr_del(int) AS DELETE FROM pr_item WHERE id = $1;
EXECUTE pr_del(1);
SET softdelete.hard_delete = on;
EXECUTE pr_del(3);
RESET softdelete.hard_delete;
EXECUTE pr_del(4);
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM pr_item ORDER BY id;
RESET softdelete.include_deleted;
DEALLOCATE pr_del;

-- enabling a table after a statement was prepared: the next EXECUTE is
-- filtered; disabling: unfiltered again
CREATE TABLE pr_late (id int, deleted_at timestamptz);
INSERT INTO pr_late VALUES (1, NULL), (2, now()), (3, NULL);
PREPARE pr_late_ids AS SELECT string_agg(id::text, ',' ORDER BY id) AS ids FROM pr_late;
EXECUTE pr_late_ids;
EXECUTE pr_late_ids;
EXECUTE pr_late_ids;
EXECUTE pr_late_ids;
EXECUTE pr_late_ids;
EXECUTE pr_late_ids;
SELECT softdelete.enable('pr_late');
EXECUTE pr_late_ids;
SELECT softdelete.disable('pr_late');
EXECUTE pr_late_ids;
-- the same for PL/pgSQL
CREATE FUNCTION pr_late_ids() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT string_agg(id::text, ',' ORDER BY id) FROM pr_late);
END;
$$;
SELECT pr_late_ids();
SELECT softdelete.enable('pr_late');
SELECT pr_late_ids();
SELECT softdelete.disable('pr_late');
SELECT pr_late_ids();

DEALLOCATE pr_all;
DEALLOCATE pr_from;
DEALLOCATE pr_late_ids;
DROP FUNCTION pr_toggle();
DROP FUNCTION pr_ids();
DROP FUNCTION pr_late_ids();
DROP TABLE pr_late;
DROP TABLE pr_item;
