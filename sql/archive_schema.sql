-- Archive mode: schema changes of the live table follow in the archive;
-- nothing archived is ever dropped with them.
CREATE TABLE as_item (id int PRIMARY KEY, name text, price int);
INSERT INTO as_item VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);
SELECT softdelete.enable_archive('as_item');
DELETE FROM as_item WHERE id = 1;
CREATE VIEW as_cols AS
  SELECT attname, format_type(atttypid, atttypmod) AS type
    FROM pg_attribute WHERE attrelid = 'as_item_archive'::regclass AND attnum > 0
     AND NOT attisdropped ORDER BY attnum;

-- ADD COLUMN: the archive gains it; rows archived before get what the live
-- rows got (here the default)
ALTER TABLE as_item ADD COLUMN stock int DEFAULT 5;
-- RENAME COLUMN: renamed in the archive, data kept
ALTER TABLE as_item RENAME COLUMN name TO title;
-- ALTER TYPE: converted in the archive too
ALTER TABLE as_item ALTER COLUMN price TYPE numeric(10, 2);
SELECT * FROM as_cols;
SELECT id, title, price, stock FROM as_item_archive;
DELETE FROM as_item WHERE id = 2;
SELECT id, title, price, stock FROM as_item_archive ORDER BY id;
-- several changes in one statement
ALTER TABLE as_item ADD COLUMN a1 text, ADD COLUMN a2 date, ALTER COLUMN stock TYPE bigint;
SELECT * FROM as_cols;
-- a type change the archived values cannot take fails the whole ALTER,
-- saying what to do; the archive converts with the statement's own USING
UPDATE as_item_archive SET title = 'not a number' WHERE id = 1;
UPDATE as_item SET title = '7';
ALTER TABLE as_item ALTER COLUMN title TYPE int USING title::int;
\echo :LAST_ERROR_SQLSTATE
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'as_item'::regclass AND attname = 'title';
ALTER TABLE as_item ALTER COLUMN title TYPE int USING 0;

-- DROP COLUMN: the archive keeps the column and what it holds
ALTER TABLE as_item DROP COLUMN a2;
ALTER TABLE as_item DROP COLUMN price;
SELECT * FROM as_cols;
DELETE FROM as_item WHERE id = 3;
SELECT id, title, price FROM as_item_archive ORDER BY id;
-- a new column with a dropped column's name and type reuses it; of another type, refused
ALTER TABLE as_item ADD COLUMN price numeric(10, 2);
ALTER TABLE as_item ADD COLUMN a2 text;
\echo :LAST_ERROR_SQLSTATE
-- renaming onto the name of a kept column is refused
ALTER TABLE as_item RENAME COLUMN a1 TO a2;
\echo :LAST_ERROR_SQLSTATE
-- archive metadata names are reserved in the live table
ALTER TABLE as_item ADD COLUMN archived_at timestamptz;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE as_item RENAME COLUMN a1 TO archive_op;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM as_cols;

-- RENAME TABLE: an archive named after the table follows
ALTER TABLE as_item RENAME TO as_product;
SELECT archive FROM softdelete.tables WHERE table_name = 'as_product'::regclass;
DROP VIEW as_cols;
-- an archive with a name of its own keeps it
CREATE TABLE as_named (id int PRIMARY KEY);
SELECT softdelete.enable_archive('as_named', 'as_named_history');
ALTER TABLE as_named RENAME TO as_named2;
SELECT archive FROM softdelete.tables WHERE table_name = 'as_named2'::regclass;
-- the owner follows
CREATE ROLE as_owner;
ALTER TABLE as_product OWNER TO as_owner;
SELECT relowner::regrole FROM pg_class WHERE oid = 'as_product_archive'::regclass;
ALTER TABLE as_product OWNER TO CURRENT_USER;

-- the archive table cannot be dropped while its table is enabled
DROP TABLE as_product_archive;
\echo :LAST_ERROR_SQLSTATE
-- nor with CASCADE (the table depends on its archive, for pg_dump's order:
-- CASCADE would drop the live table too)
DROP TABLE as_product_archive CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM as_product;
-- the dependency pg_dump follows, and only while the table is enabled
SELECT classid::regclass, objid::regclass, refobjid::regclass, deptype
  FROM pg_depend WHERE refobjid = 'as_product_archive'::regclass AND objid = 'as_product'::regclass;
-- dropping the live table keeps the archive and its rows
DROP TABLE as_product;
SELECT count(*) FROM as_product_archive;
SELECT count(*) FROM softdelete.tables WHERE archive = 'as_product_archive'::regclass;
-- disable keeps it too; enable_archive again reuses it
SELECT softdelete.disable('as_named2');
SELECT count(*) FROM pg_depend WHERE refobjid = 'as_named_history'::regclass AND objid = 'as_named2'::regclass;
CREATE TABLE as_again (id int PRIMARY KEY, v text);
INSERT INTO as_again VALUES (1, 'x');
SELECT softdelete.enable_archive('as_again');
DELETE FROM as_again;
SELECT softdelete.disable('as_again');
ALTER TABLE as_again ADD COLUMN w int;
SELECT softdelete.enable_archive('as_again');
SELECT attname FROM pg_attribute WHERE attrelid = 'as_again_archive'::regclass
   AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT softdelete.restore('as_again');
SELECT * FROM as_again;
SELECT objid::regclass FROM pg_depend WHERE refobjid = 'as_again_archive'::regclass AND deptype = 'n';
-- dropping both together (DROP SCHEMA ... CASCADE) drops both
CREATE SCHEMA as_s;
CREATE TABLE as_s.t (id int PRIMARY KEY);
SELECT softdelete.enable_archive('as_s.t');
DROP SCHEMA as_s CASCADE;
SELECT count(*) FROM softdelete.tables WHERE table_name::text LIKE 'as_s.%';

DROP TABLE as_again, as_named2;
DROP TABLE as_product_archive, as_named_history, as_again_archive;
DROP ROLE as_owner;
