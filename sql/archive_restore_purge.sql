-- Archive mode: restore moves rows back from the archive, purge erases them.
CREATE TABLE ar_doc (id int PRIMARY KEY, title text, body text,
                     len int GENERATED ALWAYS AS (length(body)) STORED);
INSERT INTO ar_doc (id, title, body) SELECT g, 't' || g, repeat('x', g) FROM generate_series(1, 8) g;
SELECT softdelete.enable_archive('ar_doc');
DELETE FROM ar_doc WHERE id <= 5;

-- restore by a filter over the table's columns; the count comes back
SELECT softdelete.restore('ar_doc', 'id = 1');
SELECT id, title, body, len FROM ar_doc WHERE id = 1;
SELECT count(*) FROM ar_doc_archive WHERE id = 1;
-- the filter may use the archive's columns too
SELECT softdelete.restore('ar_doc', $$archive_op = 'delete' AND title = 't2'$$);
-- a filter that matches nothing restores nothing
SELECT softdelete.restore('ar_doc', 'id = 42');
-- the latest deleted image of a key wins; older ones stay in the archive
INSERT INTO ar_doc (id, title, body) VALUES (3, 't3 again', 'yyy');
DELETE FROM ar_doc WHERE id = 3;
SELECT title, archive_op FROM ar_doc_archive WHERE id = 3 ORDER BY archive_id;
SELECT softdelete.restore('ar_doc', 'id = 3');
SELECT title FROM ar_doc WHERE id = 3;
SELECT title FROM ar_doc_archive WHERE id = 3;

-- a key that is live again fails the whole call, and nothing moves
INSERT INTO ar_doc (id, title, body) VALUES (4, 'new 4', 'z');
SELECT softdelete.restore('ar_doc');
\echo :LAST_ERROR_SQLSTATE
SELECT id FROM ar_doc_archive WHERE id IN (4, 5) AND archive_op = 'delete' ORDER BY id;
SELECT title FROM ar_doc WHERE id = 4;
-- key 3's older image clashes too; with the clashes filtered out, the rest comes back
SELECT softdelete.restore('ar_doc', 'id NOT IN (3, 4)');
SELECT id FROM ar_doc ORDER BY id;
-- a restored row fires the table's INSERT triggers, as any insert; they run
-- under restore's search_path (pg_catalog, pg_temp), so they name their tables
CREATE TABLE ar_log (msg text);
CREATE FUNCTION ar_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.ar_log VALUES ('insert ' || NEW.id); RETURN NEW; END $$;
CREATE TRIGGER ar_ins AFTER INSERT ON ar_doc FOR EACH ROW EXECUTE FUNCTION ar_ins();
DELETE FROM ar_doc WHERE id = 6;
SELECT softdelete.restore('ar_doc', 'id = 6');
SELECT * FROM ar_log;
DROP TRIGGER ar_ins ON ar_doc;

-- versions: a restored row is a new version that begins at the restore; the
-- deleted image stays as history, marked 'restored', and is restored once only
CREATE TABLE ar_ver (id int PRIMARY KEY, v int);
INSERT INTO ar_ver VALUES (1, 1);
SELECT softdelete.enable_archive('ar_ver', versions => true);
UPDATE ar_ver SET v = 2;
DELETE FROM ar_ver;
SELECT now() AS t_deleted \gset
BEGIN;
SELECT softdelete.restore('ar_ver');
SELECT id, v, valid_from = now() AS begins_now FROM ar_ver;
COMMIT;
SELECT v, archive_op FROM ar_ver_archive ORDER BY archive_id;
SELECT softdelete.restore('ar_ver');
-- the past is intact: while deleted, the row was absent
SELECT count(*) FROM softdelete.as_of(NULL::ar_ver, :'t_deleted');
-- deleted again: the new image is the one restore would pick
DELETE FROM ar_ver;
SELECT v, archive_op FROM ar_ver_archive ORDER BY archive_id;
-- identity columns GENERATED ALWAYS keep their values
CREATE TABLE ar_ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
INSERT INTO ar_ident (v) VALUES ('a'), ('b');
SELECT softdelete.enable_archive('ar_ident');
DELETE FROM ar_ident WHERE v = 'a';
SELECT softdelete.restore('ar_ident');
SELECT id, v FROM ar_ident ORDER BY id;
-- partitioned: each row goes back to its partition
CREATE TABLE ar_part (id int, k text, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE ar_part_a PARTITION OF ar_part FOR VALUES IN ('a');
CREATE TABLE ar_part_b PARTITION OF ar_part FOR VALUES IN ('b');
INSERT INTO ar_part VALUES (1, 'a'), (2, 'b');
SELECT softdelete.enable_archive('ar_part');
DELETE FROM ar_part;
SELECT softdelete.restore('ar_part');
SELECT tableoid::regclass, id FROM ar_part ORDER BY id;
-- restore and purge name the table, not a partition
SELECT softdelete.restore('ar_part_a');
\echo :LAST_ERROR_SQLSTATE
-- a filter that is not one expression is refused before anything runs
SELECT softdelete.restore('ar_doc', 'true) OR (true');
\echo :LAST_ERROR_SQLSTATE

-- purge: rows archived at least older_than ago; the default erases all
DELETE FROM ar_doc WHERE id IN (7, 8);
SELECT softdelete.purge('ar_doc', '1 hour');
UPDATE ar_doc_archive SET archived_at = archived_at - interval '2 days' WHERE id = 7;
SELECT softdelete.purge('ar_doc', '1 day');
SELECT id FROM ar_doc_archive ORDER BY id;
SELECT softdelete.purge('ar_doc');
SELECT count(*) FROM ar_doc_archive;
SELECT softdelete.purge('ar_doc', '-1 day');
\echo :LAST_ERROR_SQLSTATE

DROP TABLE ar_doc, ar_ver, ar_ident, ar_part, ar_log;
DROP TABLE ar_doc_archive, ar_ver_archive, ar_ident_archive, ar_part_archive;
DROP FUNCTION ar_ins();
