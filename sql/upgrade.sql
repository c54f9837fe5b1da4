-- ALTER EXTENSION softdelete UPDATE from every earlier version: tables
-- enabled under the old version keep working with the new library before
-- the update, and after it, in both modes, with foreign keys.
-- the database pg_regress runs in, to come back to
\set regress_db :DBNAME
CREATE DATABASE sd_upgrade;
\c sd_upgrade
SET client_min_messages = warning;
CREATE EXTENSION softdelete VERSION '1.0';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';

CREATE TABLE customer (id int PRIMARY KEY, name text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customer ON DELETE CASCADE);
CREATE TABLE ledger (id int PRIMARY KEY, amount int);
INSERT INTO customer VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO orders VALUES (10, 1), (20, 2), (30, 3);
INSERT INTO ledger VALUES (1, 100), (2, 200);
SELECT softdelete.enable('orders');
SELECT softdelete.enable('customer');
SELECT softdelete.enable_archive('ledger', versions => true)::text;
DELETE FROM customer WHERE id = 1;
DELETE FROM ledger WHERE id = 1;
UPDATE ledger SET amount = 250 WHERE id = 2;

-- the new library, the old SQL objects
SELECT c.id, o.id FROM customer c LEFT JOIN orders o ON o.customer_id = c.id ORDER BY 1;
SELECT count(*) AS orders FROM orders;
SELECT id, amount, archive_op FROM ledger_archive ORDER BY archive_id;
SELECT softdelete.restore('customer', 'id = 1');
SELECT count(*) AS orders FROM orders;

ALTER EXTENSION softdelete UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'softdelete';
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'softdelete.registry'::regclass ORDER BY 1;

-- everything still works, and what 1.1 added
SELECT table_name, mode, column_name, archive, versions FROM softdelete.tables ORDER BY table_name::text;
DELETE FROM customer WHERE id = 2;
SELECT id FROM customer ORDER BY id;
SELECT count(*) AS orders FROM orders;
SELECT softdelete.restore('customer');
SELECT count(*) AS orders FROM orders;
SELECT softdelete.restore('ledger', 'id = 1');
SELECT id, amount FROM ledger ORDER BY id;
SELECT softdelete.purge('ledger');
SELECT softdelete.disable('ledger');
SELECT softdelete.enable('ledger');
DELETE FROM ledger WHERE id = 2;
SELECT count(*) FROM ledger;
-- a TRUNCATE of the registry (1.1: read before it goes) reaches cached plans
PREPARE live_customers AS SELECT count(*) FROM customer;
DELETE FROM customer WHERE id = 3;
EXECUTE live_customers;
TRUNCATE softdelete.registry;
EXECUTE live_customers;
SELECT count(*) FROM softdelete.tables;

\c :regress_db
DROP DATABASE sd_upgrade;
