-- Foreign keys in archive mode, and a chain mixing both modes: a flag-mode
-- parent with archive-mode children.  Archive mode deletes physically, so
-- core's own ON DELETE CASCADE moves the children to their archives; a
-- restore brings back the children archived with the parent (same key,
-- same transaction).
CREATE EXTENSION IF NOT EXISTS softdelete;

CREATE TABLE fa_author (id int PRIMARY KEY, name text);
CREATE TABLE fa_book (id int PRIMARY KEY,
	author_id int REFERENCES fa_author ON DELETE CASCADE, title text);
CREATE TABLE fa_page (book_id int REFERENCES fa_book ON DELETE CASCADE,
	n int, PRIMARY KEY (book_id, n));
INSERT INTO fa_author SELECT i, 'a' || i FROM generate_series(1, 10) i;
INSERT INTO fa_book SELECT i, 1 + i % 10, 'b' || i FROM generate_series(1, 100) i;
INSERT INTO fa_page SELECT b, n FROM generate_series(1, 100) b, generate_series(1, 10) n;
SELECT softdelete.enable_archive('fa_page');
SELECT softdelete.enable_archive('fa_book');
SELECT softdelete.enable_archive('fa_author');

-- three levels in one statement
DELETE FROM fa_author WHERE id IN (1, 2);
SELECT (SELECT count(*) FROM fa_author) AS authors, (SELECT count(*) FROM fa_book) AS books,
	(SELECT count(*) FROM fa_page) AS pages;
SELECT (SELECT count(*) FROM fa_author_archive) AS authors, (SELECT count(*) FROM fa_book_archive) AS books,
	(SELECT count(*) FROM fa_page_archive) AS pages;
SELECT count(DISTINCT archived_xid) AS xids FROM (
	SELECT archived_xid FROM fa_author_archive UNION ALL
	SELECT archived_xid FROM fa_book_archive UNION ALL
	SELECT archived_xid FROM fa_page_archive) s;

-- a book deleted earlier on its own is not brought back with its author
DELETE FROM fa_book WHERE id = 3;	-- author 4
DELETE FROM fa_author WHERE id = 4;
SELECT softdelete.restore('fa_author', 'id = 4');
SELECT count(*) AS books_of_4 FROM fa_book WHERE author_id = 4;
SELECT count(*) AS pages_of_3 FROM fa_page WHERE book_id = 3;

-- restoring a child whose parent is archived fails, nothing moves
\set VERBOSITY terse
SELECT softdelete.restore('fa_book', 'author_id = 1');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM fa_book_archive WHERE author_id = 1;

-- restoring the parents brings everything back, three levels
SELECT softdelete.restore('fa_author', 'id IN (1, 2)');
SELECT (SELECT count(*) FROM fa_author) AS authors, (SELECT count(*) FROM fa_book) AS books,
	(SELECT count(*) FROM fa_page) AS pages;
SELECT (SELECT count(*) FROM fa_author_archive) AS authors, (SELECT count(*) FROM fa_book_archive) AS books,
	(SELECT count(*) FROM fa_page_archive) AS pages;

-- NO ACTION: live children block, archived ones are gone (RESTRICT: fk_restrict)
CREATE TABLE fa_review (id int PRIMARY KEY, book_id int REFERENCES fa_book ON DELETE NO ACTION);
SELECT softdelete.enable_archive('fa_review');
INSERT INTO fa_review VALUES (1, 50);
DELETE FROM fa_book WHERE id = 50;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM fa_review WHERE id = 1;
DELETE FROM fa_book WHERE id = 50;
\echo :ROW_COUNT

-- a new child of an archived parent: core's check finds no parent
INSERT INTO fa_book VALUES (1000, 4, 'new');
INSERT INTO fa_review VALUES (2, 50);
\echo :LAST_ERROR_SQLSTATE

-- a self-referencing tree in archive mode
CREATE TABLE fa_tree (id int PRIMARY KEY, parent_id int REFERENCES fa_tree ON DELETE CASCADE);
INSERT INTO fa_tree VALUES (1, NULL);
INSERT INTO fa_tree SELECT i, i / 2 FROM generate_series(2, 31) i;
SELECT softdelete.enable_archive('fa_tree');
DELETE FROM fa_tree WHERE id = 2;
SELECT count(*) AS live, (SELECT count(*) FROM fa_tree_archive) AS archived FROM fa_tree;
SELECT softdelete.restore('fa_tree', 'id = 2');
SELECT count(*) AS live, (SELECT count(*) FROM fa_tree_archive) AS archived FROM fa_tree;

-- Mixed chain: flag-mode parent, archive-mode children, archive grandchildren
CREATE TABLE fm_shop (id int PRIMARY KEY);
CREATE TABLE fm_item (id int PRIMARY KEY, shop_id int REFERENCES fm_shop ON DELETE CASCADE);
CREATE TABLE fm_price (item_id int REFERENCES fm_item ON DELETE CASCADE, day int,
	PRIMARY KEY (item_id, day));
INSERT INTO fm_shop SELECT generate_series(1, 5);
INSERT INTO fm_item SELECT i, 1 + i % 5 FROM generate_series(1, 50) i;
INSERT INTO fm_price SELECT i, d FROM generate_series(1, 50) i, generate_series(1, 4) d;
SELECT softdelete.enable_archive('fm_price');
SELECT softdelete.enable_archive('fm_item');
SELECT softdelete.enable('fm_shop');
DELETE FROM fm_shop WHERE id = 1;
SELECT (SELECT count(*) FROM fm_item) AS items, (SELECT count(*) FROM fm_item_archive) AS items_archived,
	(SELECT count(*) FROM fm_price_archive) AS prices_archived;
SET softdelete.include_deleted = on;
SELECT count(*) AS same_stamp FROM fm_shop s JOIN fm_item_archive a ON a.shop_id = s.id
	WHERE s.deleted_at = a.archived_at;
RESET softdelete.include_deleted;
\set VERBOSITY terse
SELECT softdelete.restore('fm_item', 'shop_id = 1');	-- the shop is deleted
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT softdelete.restore('fm_shop', 'id = 1');
SELECT (SELECT count(*) FROM fm_item) AS items, (SELECT count(*) FROM fm_item_archive) AS items_archived,
	(SELECT count(*) FROM fm_price) AS prices, (SELECT count(*) FROM fm_price_archive) AS prices_archived;

-- The other way round cannot work: a flag-mode child of an archive-mode parent
CREATE TABLE fm_city (id int PRIMARY KEY);
CREATE TABLE fm_street (id int PRIMARY KEY, city_id int REFERENCES fm_city ON DELETE CASCADE);
SELECT softdelete.enable('fm_street');
SELECT softdelete.enable_archive('fm_city');
SELECT softdelete.disable('fm_street');
SELECT softdelete.enable_archive('fm_city');
SELECT softdelete.enable('fm_street');
-- and a cascade into a table without soft delete is refused at the delete
INSERT INTO fm_city VALUES (1);
INSERT INTO fm_street VALUES (1, 1);
DELETE FROM fm_city WHERE id = 1;
SELECT count(*) AS streets FROM fm_street;
SELECT softdelete.enable_archive('fm_street');
DELETE FROM fm_city WHERE id = 1;
SELECT count(*) AS streets, (SELECT count(*) FROM fm_street_archive) AS archived FROM fm_street;
-- SET NULL is refused in archive mode too
CREATE TABLE fm_person (id int PRIMARY KEY, city_id int REFERENCES fm_city ON DELETE SET NULL);
DELETE FROM fm_city;
\echo :LAST_ERROR_SQLSTATE

-- clean up (other files read the registry)
SET client_min_messages = warning;
DROP TABLE fa_review, fa_page, fa_book, fa_author, fa_tree, fm_price, fm_item, fm_shop,
	fm_person, fm_street, fm_city CASCADE;
DROP TABLE fa_review_archive, fa_page_archive, fa_book_archive, fa_author_archive,
	fa_tree_archive, fm_price_archive, fm_item_archive, fm_street_archive, fm_city_archive;
RESET client_min_messages;
SELECT count(*) AS registered FROM softdelete.tables WHERE table_name::text ~ '^f[am]_';
