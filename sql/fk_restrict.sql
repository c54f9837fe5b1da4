-- ON DELETE RESTRICT, in the wording of the server's major: PostgreSQL 18
-- made its violation SQLSTATE 23001 with a message of its own, and the check
-- of a soft delete mirrors core's (fk_restrict_1.out is 18's and later).
-- Deleted children do not block; archived ones are gone.
CREATE SCHEMA fkr;
SET search_path = fkr, public;

-- flag mode: softdelete's check
CREATE TABLE customer (id int PRIMARY KEY);
CREATE TABLE invoice (id int PRIMARY KEY, customer_id int REFERENCES customer ON DELETE RESTRICT);
INSERT INTO customer VALUES (1), (2);
INSERT INTO invoice VALUES (10, 1), (11, 2);
SELECT softdelete.enable('invoice');
SELECT softdelete.enable('customer');
DELETE FROM customer WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM invoice WHERE id = 10;
DELETE FROM customer WHERE id = 1;
\echo :ROW_COUNT
-- a RESTRICT child that is not enabled blocks too
CREATE TABLE note (id int PRIMARY KEY, customer_id int REFERENCES customer ON DELETE RESTRICT);
INSERT INTO note VALUES (20, 2);
DELETE FROM invoice WHERE id = 11;
DELETE FROM customer WHERE id = 2;
\echo :LAST_ERROR_SQLSTATE
-- a physical delete meets core's own check: the deleted invoice still refers
SET softdelete.hard_delete = on;
SET softdelete.include_deleted = on;
DELETE FROM customer WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
RESET softdelete.include_deleted;
RESET softdelete.hard_delete;

-- archive mode: core's check on the physical delete
CREATE TABLE book (id int PRIMARY KEY);
CREATE TABLE review (id int PRIMARY KEY, book_id int REFERENCES book ON DELETE RESTRICT);
INSERT INTO book VALUES (50);
INSERT INTO review VALUES (1, 50);
SELECT softdelete.enable_archive('review');
SELECT softdelete.enable_archive('book');
DELETE FROM book WHERE id = 50;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS archived_books FROM book_archive;
DELETE FROM review WHERE id = 1;
DELETE FROM book WHERE id = 50;
\echo :ROW_COUNT

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA fkr CASCADE;
RESET client_min_messages;
