-- Deleted data under access control (1.5): seeing deleted rows and the past,
-- and erasing, are granted (softdelete.grant_access), not assumed; the
-- caller's settings stop at security boundaries (SECURITY DEFINER
-- functions, row-level security policies, security-barrier views); what
-- softdelete creates for a table belongs to its owner.
SET client_min_messages = warning;
CREATE ROLE sec_owner;
CREATE ROLE sec_ann;
CREATE ROLE sec_caller;
CREATE ROLE sec_squatter;
CREATE ROLE sec_ref;
CREATE ROLE sec_upd;
RESET client_min_messages;
CREATE SCHEMA sec AUTHORIZATION sec_owner;
GRANT USAGE ON SCHEMA sec TO PUBLIC;
GRANT CREATE ON SCHEMA sec TO sec_squatter, sec_ref;
SET search_path = sec, public;

-- 1. Row security that relies on soft-deleted rows
SET ROLE sec_owner;
CREATE TABLE member (doc int, usr name, PRIMARY KEY (doc, usr));
CREATE TABLE doc (id int PRIMARY KEY, body text);
INSERT INTO doc VALUES (1, 'd1'), (2, 'd2');
INSERT INTO member VALUES (1, 'sec_ann'), (2, 'sec_ann');
SELECT softdelete.enable('member');
SELECT softdelete.enable('doc');
ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON doc FOR SELECT
	USING (EXISTS (SELECT 1 FROM member m WHERE m.doc = doc.id AND m.usr = current_user));
GRANT SELECT ON doc, member TO sec_ann;
SELECT now() AS before_revocation \gset
DELETE FROM member WHERE doc = 2;          -- ann loses doc 2
RESET ROLE;
SET ROLE sec_ann;
SELECT id FROM doc;
-- not granted: refused, never a different answer
SET softdelete.include_deleted = on;
SELECT id FROM doc;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM member;
SET softdelete.include_deleted = 'only';
SELECT count(*) FROM member;
RESET softdelete.include_deleted;
SET softdelete.as_of = :'before_revocation';
SELECT id FROM doc;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.as_of;
RESET ROLE;
-- granted read_deleted on both: ann sees member's deleted rows, and doc's;
-- the policy still reads live members, whatever ann sets
SET ROLE sec_owner;
SELECT softdelete.grant_access('member', 'sec_ann', 'read_deleted');
SELECT softdelete.grant_access('doc', 'sec_ann', 'read_deleted');
RESET ROLE;
SET ROLE sec_ann;
SET softdelete.include_deleted = on;
SELECT doc, usr, deleted_at IS NOT NULL AS deleted FROM member ORDER BY doc;
SELECT id FROM doc;
SET softdelete.as_of = :'before_revocation';
SELECT id, body FROM doc;
RESET softdelete.as_of;
RESET softdelete.include_deleted;
RESET ROLE;

-- a policy's WITH CHECK reads live members too
SET ROLE sec_owner;
CREATE POLICY pi ON doc FOR INSERT
	WITH CHECK (EXISTS (SELECT 1 FROM member m WHERE m.doc = id AND m.usr = current_user));
GRANT INSERT ON doc TO sec_ann;
RESET ROLE;
SET ROLE sec_ann;
SET softdelete.include_deleted = on;
INSERT INTO doc VALUES (2, 'again');       -- ann's membership of 2 is deleted
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
-- a plain INSERT reads no row: include_deleted asks nothing of it
SET ROLE sec_owner;
GRANT INSERT ON member TO sec_caller;
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.include_deleted = on;
INSERT INTO member VALUES (3, 'sec_caller');
RESET softdelete.include_deleted;
RESET ROLE;

-- through a SECURITY DEFINER helper the policy calls (ann needs no right
-- on member at all)
SET ROLE sec_owner;
CREATE FUNCTION is_member(d int, u name) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = sec, pg_catalog
	AS 'SELECT EXISTS (SELECT 1 FROM member m WHERE m.doc = d AND m.usr = u)';
DROP POLICY p ON doc;
CREATE POLICY p ON doc FOR SELECT USING (is_member(id, current_user));
REVOKE SELECT ON member FROM sec_ann;
SELECT softdelete.revoke_access('member', 'sec_ann', 'read_deleted');
RESET ROLE;
SET ROLE sec_ann;
SET softdelete.include_deleted = on;
SELECT id FROM doc;
RESET softdelete.include_deleted;
RESET ROLE;

-- through the owner's security-barrier view
SET ROLE sec_owner;
CREATE VIEW my_docs WITH (security_barrier) AS
	SELECT d.id, d.body FROM doc d
	 WHERE EXISTS (SELECT 1 FROM member m WHERE m.doc = d.id AND m.usr = current_user);
GRANT SELECT ON my_docs TO sec_ann;
SELECT softdelete.grant_access('member', 'sec_ann', 'read_deleted');
RESET ROLE;
SET ROLE sec_ann;
SET softdelete.include_deleted = on;
SELECT id FROM my_docs;
RESET softdelete.include_deleted;
RESET ROLE;
-- an ordinary view is no boundary: the caller's grant is what counts
SET ROLE sec_owner;
CREATE VIEW all_members AS SELECT doc, usr FROM member;
GRANT SELECT ON all_members TO sec_caller, sec_ann;
RESET ROLE;
SET ROLE sec_caller;
SELECT count(*) FROM all_members;
SET softdelete.include_deleted = on;
SELECT count(*) FROM all_members;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
SET ROLE sec_ann;
SET softdelete.include_deleted = on;
SELECT count(*) FROM all_members;
RESET softdelete.include_deleted;
RESET ROLE;

-- 2. SECURITY DEFINER functions do not obey the caller's settings
SET ROLE sec_owner;
CREATE TABLE orders (id int PRIMARY KEY, note text);
INSERT INTO orders VALUES (1), (2), (3);
SELECT softdelete.enable('orders');
DELETE FROM orders WHERE id = 3;
CREATE FUNCTION cancel(i int) RETURNS void LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog
	AS 'DELETE FROM sec.orders WHERE id = i';
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog
	AS 'SELECT count(*) FROM sec.orders';
CREATE FUNCTION note_all(n text) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog
	AS $$ DECLARE c bigint; BEGIN UPDATE sec.orders SET note = n; GET DIAGNOSTICS c = ROW_COUNT; RETURN c; END $$;
-- what the function itself sets applies: its SET clause ...
CREATE FUNCTION all_order_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog SET softdelete.include_deleted = on
	AS 'SELECT count(*) FROM sec.orders';
-- ... or a SET in its body
CREATE FUNCTION deleted_order_count() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog
	AS $$ DECLARE c bigint; BEGIN
		SET LOCAL softdelete.include_deleted = 'only';
		SELECT count(*) INTO c FROM sec.orders;
		RETURN c; END $$;
-- a SET without LOCAL outlives the function: refused outside it
CREATE FUNCTION leak() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog
	AS $$ BEGIN SET softdelete.include_deleted = on; END $$;
GRANT EXECUTE ON FUNCTION cancel(int), order_count(), note_all(text),
	all_order_count(), deleted_order_count(), leak() TO sec_caller;
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.hard_delete = on;
SELECT cancel(1);
RESET softdelete.hard_delete;
SET softdelete.include_deleted = on;
SELECT order_count(), all_order_count(), deleted_order_count();
SET softdelete.include_deleted = 'only';
SELECT note_all('x');
RESET softdelete.include_deleted;
SELECT order_count(), all_order_count(), deleted_order_count();
SELECT leak();
SELECT order_count();
SELECT count(*) FROM orders;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET ROLE;
SET softdelete.include_deleted = on;
SELECT id, note, deleted_at IS NOT NULL AS deleted FROM sec.orders ORDER BY id;
RESET softdelete.include_deleted;
-- as_of does not cross into a definer function either
SET softdelete.as_of = '2000-01-01';
SELECT sec.order_count();
RESET softdelete.as_of;

-- 3. enable_archive adopts an existing table only when the live table's
-- owner owns it, whoever calls (a superuser here)
SET ROLE sec_owner;
CREATE TABLE cards (id int PRIMARY KEY, number text);
INSERT INTO cards VALUES (1, '4111');
RESET ROLE;
SET ROLE sec_squatter;
CREATE TABLE cards_archive (id int, number text, archive_id bigint,
	archived_at timestamptz, archived_by text, archive_op text, archived_xid xid8);
RESET ROLE;
SELECT softdelete.enable_archive('sec.cards');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM softdelete.tables WHERE table_name = 'sec.cards'::regclass;
ALTER TABLE cards_archive OWNER TO sec_owner;
SELECT softdelete.enable_archive('sec.cards') IS NOT NULL AS enabled;
-- an archive softdelete creates belongs to the table's owner too
SET ROLE sec_owner;
CREATE TABLE cards2 (id int PRIMARY KEY, number text);
RESET ROLE;
SELECT softdelete.enable_archive('sec.cards2') IS NOT NULL AS enabled;
SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
 WHERE c.relname IN ('cards_archive', 'cards2_archive') ORDER BY 1;

-- 4. REFERENCES suffices to reference an enabled table: softdelete_fk is
-- created on it as its owner
SET ROLE sec_owner;
CREATE TABLE product (id int PRIMARY KEY);
INSERT INTO product VALUES (1), (2);
SELECT softdelete.enable('product');
GRANT REFERENCES ON product TO sec_ref;
RESET ROLE;
SET ROLE sec_ref;
CREATE TABLE wish (id int PRIMARY KEY, product int REFERENCES product ON DELETE CASCADE);
INSERT INTO wish VALUES (10, 1);
RESET ROLE;
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgname IN ('softdelete_fk', 'softdelete_ref') AND tgrelid IN ('sec.product'::regclass, 'sec.wish'::regclass)
 ORDER BY 1, 2;
SET ROLE sec_owner;
DELETE FROM product WHERE id = 1;          -- wish 10 is not enabled: refused
RESET ROLE;

-- 5. Writing the flag is a delete: it needs the DELETE privilege
SET ROLE sec_owner;
GRANT SELECT, UPDATE ON orders TO sec_upd;
RESET ROLE;
SET ROLE sec_upd;
UPDATE orders SET deleted_at = now() WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO orders VALUES (2) ON CONFLICT (id) DO UPDATE SET deleted_at = now();
\echo :LAST_ERROR_SQLSTATE
MERGE INTO orders o USING (VALUES (2)) v(id) ON o.id = v.id
	WHEN MATCHED THEN UPDATE SET deleted_at = now();
\echo :LAST_ERROR_SQLSTATE
UPDATE orders SET note = 'kept' WHERE id = 2;   -- other columns: as before
RESET ROLE;
SET ROLE sec_owner;
GRANT DELETE ON orders TO sec_upd;
RESET ROLE;
SET ROLE sec_upd;
UPDATE orders SET deleted_at = now() WHERE id = 2;
RESET ROLE;
SET softdelete.include_deleted = on;
SELECT id, note, deleted_at IS NOT NULL AS deleted FROM sec.orders ORDER BY id;
RESET softdelete.include_deleted;

-- 6. Erasure is a privilege apart from DELETE
SET ROLE sec_owner;
GRANT SELECT, DELETE, TRUNCATE ON product TO sec_caller;
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.hard_delete = on;
DELETE FROM product WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE product CASCADE;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.hard_delete;
SELECT softdelete.purge('product');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE sec_owner;
SELECT softdelete.grant_access('product', 'sec_caller', 'erase');
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.hard_delete = on;
DELETE FROM product WHERE id = 2;
RESET softdelete.hard_delete;
RESET ROLE;
SET softdelete.include_deleted = on;
SELECT id FROM sec.product ORDER BY id;
RESET softdelete.include_deleted;
-- a cascade from a table that is not enabled, into one that is
SET ROLE sec_owner;
CREATE TABLE shop (id int PRIMARY KEY);
CREATE TABLE shelf (id int PRIMARY KEY, shop int REFERENCES shop ON DELETE CASCADE);
INSERT INTO shop VALUES (1);
INSERT INTO shelf VALUES (1, 1);
SELECT softdelete.enable('shelf');
GRANT SELECT, DELETE ON shop TO sec_caller;
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.hard_delete = on;
DELETE FROM shop;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.hard_delete;
RESET ROLE;
SELECT (SELECT count(*) FROM sec.shop) AS shops, (SELECT count(*) FROM sec.shelf) AS shelves;

-- 7. Cached plans follow the role and the grants
SET ROLE sec_owner;
SELECT softdelete.grant_access('orders', 'sec_ann', 'read_deleted');
GRANT SELECT ON orders TO sec_ann, sec_caller;
RESET ROLE;
SET softdelete.include_deleted = on;
PREPARE all_orders AS SELECT count(*) FROM sec.orders;
SET ROLE sec_ann;
EXECUTE all_orders;
EXECUTE all_orders;
RESET ROLE;
SET ROLE sec_caller;
EXECUTE all_orders;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE sec_ann;
EXECUTE all_orders;
RESET ROLE;
SET ROLE sec_owner;
SELECT softdelete.revoke_access('orders', 'sec_ann', 'read_deleted');
RESET ROLE;
SET ROLE sec_ann;
EXECUTE all_orders;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DEALLOCATE all_orders;
RESET softdelete.include_deleted;
-- a grant to PUBLIC, and through a role's membership
SET ROLE sec_owner;
SELECT softdelete.grant_access('orders', 'public', 'read_deleted');
RESET ROLE;
SET ROLE sec_caller;
SET softdelete.include_deleted = on;
SELECT count(*) FROM orders;
RESET softdelete.include_deleted;
RESET ROLE;
SET ROLE sec_owner;
SELECT softdelete.revoke_access('orders', 'PUBLIC', 'read_deleted');
SELECT softdelete.grant_access('orders', 'sec_ann', 'read_deleted');
RESET ROLE;
GRANT sec_ann TO sec_caller;
SET ROLE sec_caller;
SET softdelete.include_deleted = on;
SELECT count(*) FROM orders;
RESET softdelete.include_deleted;
RESET ROLE;
REVOKE sec_ann FROM sec_caller;
-- a hand edit of softdelete.access (a superuser's) reaches cached plans too
SET softdelete.include_deleted = on;
PREPARE ann_orders AS SELECT count(*) FROM sec.orders;
SET ROLE sec_ann;
EXECUTE ann_orders;
RESET ROLE;
DELETE FROM softdelete.access WHERE relid = 'sec.orders'::regclass AND grantee = 'sec_ann'::regrole;
SET ROLE sec_ann;
EXECUTE ann_orders;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DEALLOCATE ann_orders;
RESET softdelete.include_deleted;
SELECT relid, grantee, privilege, granted_by FROM softdelete.access ORDER BY relid::text, grantee::text, privilege;

-- 8. grant_access and revoke_access: bad input, and only the owner
SET ROLE sec_caller;
SELECT softdelete.grant_access('orders', 'sec_caller', 'read_deleted');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT softdelete.grant_access('orders', 'sec_caller', 'everything');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.grant_access('orders', 'no_such_role', 'erase');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.grant_access(NULL, 'sec_caller', 'erase');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.grant_access('orders', NULL, 'erase');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.grant_access('sec.shop', 'sec_caller', 'erase');
\echo :LAST_ERROR_SQLSTATE
CREATE TABLE sec.parts (id int, deleted_at timestamptz) PARTITION BY RANGE (id);
CREATE TABLE sec.parts1 PARTITION OF sec.parts FOR VALUES FROM (0) TO (10);
SELECT softdelete.enable('sec.parts');
SELECT softdelete.grant_access('sec.parts1', 'sec_caller', 'erase');
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.grant_access('sec.parts', 'sec_caller', 'erase');
SELECT softdelete.grant_access('sec.parts', 'sec_caller', 'erase');  -- twice: a no-op
SELECT softdelete.revoke_access('sec.parts', 'sec_ann', 'erase');     -- never granted: a no-op
SELECT count(*) FROM softdelete.access WHERE relid = 'sec.parts'::regclass;
-- a dropped table's grants go with it
DROP TABLE sec.parts;
SELECT count(*) FROM softdelete.access WHERE grantee = 'sec_caller'::regrole AND privilege = 'erase'
   AND relid::text LIKE '%parts%';

-- a role holding grants cannot be dropped, as with privileges; DROP OWNED
-- BY takes them away
SET client_min_messages = warning;
CREATE ROLE sec_temp;
RESET client_min_messages;
SELECT softdelete.grant_access('sec.orders', 'sec_temp', 'read_deleted');
DROP ROLE sec_temp;
\echo :LAST_ERROR_SQLSTATE
DROP OWNED BY sec_temp;
SELECT count(*) FROM softdelete.access WHERE grantee = 'sec_temp'::regrole;
DROP ROLE sec_temp;

-- 9. COPY TO and pg_dump's cursor read every row: as the grants allow
SET ROLE sec_owner;
GRANT SELECT ON orders TO sec_caller;
RESET ROLE;
SET ROLE sec_caller;
COPY sec.orders TO STDOUT;
\echo :LAST_ERROR_SQLSTATE
COPY (SELECT id FROM sec.orders) TO STDOUT;     -- a query: filtered as any
BEGIN;
DECLARE _pg_dump_cursor CURSOR FOR SELECT id FROM sec.orders;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
-- a role that reads all data (a backup role) reads deleted rows too
GRANT pg_read_all_data TO sec_caller;
SET ROLE sec_caller;
COPY sec.orders (id) TO STDOUT;
BEGIN;
DECLARE _pg_dump_cursor CURSOR FOR SELECT id FROM sec.orders ORDER BY id;
FETCH ALL FROM _pg_dump_cursor;
ROLLBACK;
SET softdelete.include_deleted = on;
SELECT count(*) FROM sec.orders;
RESET softdelete.include_deleted;
RESET ROLE;
REVOKE pg_read_all_data FROM sec_caller;

-- 10. A leaky function of the querying role's sees no deleted row: the
-- filter costs nothing and goes first, also when an index finds the rows
SET ROLE sec_owner;
CREATE TABLE leaky (id int PRIMARY KEY, secret text);
INSERT INTO leaky SELECT g, 's' || g FROM generate_series(1, 2000) g;
SELECT softdelete.enable('leaky');
DELETE FROM leaky WHERE id > 3;
ANALYZE leaky;
GRANT SELECT ON leaky TO sec_caller;
RESET ROLE;
GRANT CREATE ON SCHEMA sec TO sec_caller;
SET ROLE sec_caller;
CREATE FUNCTION sec.leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001
	AS $$ BEGIN RAISE NOTICE 'saw %', t; RETURN true; END $$;
SELECT id FROM leaky WHERE sec.leak(secret) ORDER BY id;
SELECT id FROM leaky WHERE sec.leak(secret) AND id > 1990;
RESET ROLE;

-- The Security table of README: what each kind of role can do, each cell
-- tried (and rolled back).  yes: done; no (SQLSTATE): refused.
CREATE TABLE sec.acct (id int PRIMARY KEY, email text);
ALTER TABLE sec.acct OWNER TO sec_owner;
INSERT INTO sec.acct SELECT g, 'u' || g FROM generate_series(1, 4) g;
SELECT softdelete.enable('sec.acct');
DELETE FROM sec.acct WHERE id = 4;
SET client_min_messages = warning;
CREATE ROLE sec_reader;
CREATE ROLE sec_deleter;
CREATE ROLE sec_updater;
CREATE ROLE sec_viewer;
CREATE ROLE sec_eraser;
CREATE ROLE sec_super SUPERUSER;
RESET client_min_messages;
GRANT SELECT ON sec.acct TO sec_reader, sec_viewer;
GRANT SELECT, DELETE ON sec.acct TO sec_deleter, sec_eraser;
GRANT UPDATE ON sec.acct TO sec_updater;
GRANT SELECT, UPDATE (deleted_at) ON sec.acct TO sec_viewer;
SET ROLE sec_owner;
SELECT softdelete.grant_access('sec.acct', 'sec_viewer', 'read_deleted');
SELECT softdelete.grant_access('sec.acct', 'sec_eraser', 'erase');
RESET ROLE;

CREATE FUNCTION sec.try(r name, setting text, action text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		EXECUTE format('SET LOCAL ROLE %I', r);
		IF setting IS NOT NULL THEN
			PERFORM set_config(split_part(setting, '=', 1), split_part(setting, '=', 2), true);
		END IF;
		EXECUTE action;
		RAISE EXCEPTION USING ERRCODE = 'P0099', MESSAGE = 'done';
	EXCEPTION
		WHEN SQLSTATE 'P0099' THEN RETURN 'yes';
		WHEN OTHERS THEN RETURN 'no (' || SQLSTATE || ')';
	END;
END
$$;

SELECT a.what,
	   sec.try('sec_owner', a.setting, a.action) AS owner,
	   sec.try('sec_reader', a.setting, a.action) AS "SELECT",
	   sec.try('sec_deleter', a.setting, a.action) AS "SELECT+DELETE",
	   sec.try('sec_updater', a.setting, a.action) AS "UPDATE only",
	   sec.try('sec_viewer', a.setting, a.action) AS "read_deleted",
	   sec.try('sec_eraser', a.setting, a.action) AS "erase",
	   sec.try('sec_super', a.setting, a.action) AS superuser
  FROM (VALUES
	(1, 'see live rows', NULL, 'SELECT count(*) FROM sec.acct'),
	(2, 'see deleted rows', 'softdelete.include_deleted=on', 'SELECT count(*) FROM sec.acct'),
	(3, 'see the past', 'softdelete.as_of=2000-01-01', 'SELECT count(*) FROM sec.acct'),
	(4, 'delete (soft)', NULL, 'DELETE FROM sec.acct WHERE id = 1'),
	(5, 'delete by UPDATE', NULL, 'UPDATE sec.acct SET deleted_at = now()'),
	(6, 'restore', NULL, 'SELECT softdelete.restore(''sec.acct'')'),
	(7, 'erase (hard_delete)', 'softdelete.hard_delete=on', 'DELETE FROM sec.acct WHERE id = 1'),
	(8, 'erase (purge)', NULL, 'SELECT softdelete.purge(''sec.acct'')'),
	(9, 'enable, disable', NULL, 'SELECT softdelete.disable(''sec.acct'')'),
	(10, 'configure retention', NULL, 'SELECT softdelete.set_retention(''sec.acct'', ''1 day'')'),
	(11, 'grant access', NULL, 'SELECT softdelete.grant_access(''sec.acct'', ''sec_reader'', ''read_deleted'')')
  ) a(n, what, setting, action)
 ORDER BY a.n;

-- nothing changed
SET softdelete.include_deleted = on;
SELECT id, deleted_at IS NOT NULL AS deleted FROM sec.acct ORDER BY id;
RESET softdelete.include_deleted;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA sec CASCADE;
DROP OWNED BY sec_owner, sec_ann, sec_caller, sec_squatter, sec_ref, sec_upd,
	sec_reader, sec_deleter, sec_updater, sec_viewer, sec_eraser, sec_super;
DROP ROLE sec_owner, sec_ann, sec_caller, sec_squatter, sec_ref, sec_upd,
	sec_reader, sec_deleter, sec_updater, sec_viewer, sec_eraser, sec_super;
RESET client_min_messages;
