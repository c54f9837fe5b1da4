-- Visibility in plain FROM and inner joins: a soft-deleted row behaves as if
-- it did not exist, in every reference to its table, under any alias.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL", run with the bypass on; then
-- mismatches(q, h) checks automatically that both return the same multiset.
CREATE SCHEMA vis_joins;
SET search_path = vis_joins, public;

\i sql/include/mismatches.sql

CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id int PRIMARY KEY, author_id int, title text NOT NULL);
CREATE TABLE review (id int PRIMARY KEY, book_id int, stars int NOT NULL);
CREATE TABLE genre (book_id int, genre text);   -- never enabled
INSERT INTO author VALUES (1, 'ann'), (2, 'bob'), (3, 'cy'), (4, 'dee');
INSERT INTO book VALUES
	(10, 1, 'a1'), (11, 1, 'a2'), (12, 2, 'b1'), (13, 3, 'c1'),
	(14, 4, 'd1'), (15, NULL, 'anon'), (16, 2, 'b2'), (17, 2, 'b3');
INSERT INTO review VALUES
	(100, 10, 5), (101, 10, 1), (102, 12, 4), (103, 13, 3),
	(104, 11, 2), (105, 14, 5), (106, 15, 4);
INSERT INTO genre VALUES (10, 'poetry'), (11, 'novel'), (13, 'essay'), (14, 'poetry');
SELECT softdelete.enable('author');
SELECT softdelete.enable('book');
SELECT softdelete.enable('review');
-- author 3; books 11, 14 and 17; reviews 101 and 105 are deleted.
DELETE FROM author WHERE id = 3;
DELETE FROM book WHERE id IN (11, 14, 17);
DELETE FROM review WHERE id IN (101, 105);
SET softdelete.include_deleted = on;
SELECT 'author' AS tbl, id, deleted_at IS NOT NULL AS deleted FROM author
UNION ALL SELECT 'book', id, deleted_at IS NOT NULL FROM book
UNION ALL SELECT 'review', id, deleted_at IS NOT NULL FROM review
ORDER BY 1, 2;
RESET softdelete.include_deleted;

-- Plain FROM.
\set q 'SELECT id, name FROM author ORDER BY id'
\set h 'SELECT id, name FROM author WHERE deleted_at IS NULL ORDER BY id'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Plain FROM with a WHERE, an aggregate, ONLY, a schema-qualified name.
\set q 'SELECT count(*), max(id) FROM ONLY vis_joins.book WHERE title <> ''zzz'''
\set h 'SELECT count(*), max(id) FROM ONLY vis_joins.book WHERE title <> ''zzz'' AND deleted_at IS NULL'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Asking for deleted rows explicitly finds none: they do not exist.
SELECT count(*) FROM book WHERE deleted_at IS NOT NULL;
SELECT count(*) FROM book b WHERE b.id = 11;

-- Inner join, explicit.
\set q 'SELECT a.name, b.title FROM author a JOIN book b ON b.author_id = a.id ORDER BY 1, 2'
\set h 'SELECT a.name, b.title FROM author a JOIN book b ON b.author_id = a.id WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Comma join, no aliases.
\set q 'SELECT author.name, book.title FROM author, book WHERE book.author_id = author.id ORDER BY 1, 2'
\set h 'SELECT author.name, book.title FROM author, book WHERE book.author_id = author.id AND author.deleted_at IS NULL AND book.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Cross join: every live pair, nothing else.
\set q 'SELECT count(*) FROM author CROSS JOIN review'
\set h 'SELECT count(*) FROM author CROSS JOIN review WHERE author.deleted_at IS NULL AND review.deleted_at IS NULL'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Join with a table that is not enabled; USING; a join alias.
\set q 'SELECT j.book_id, j.title, j.genre FROM ((SELECT id AS book_id, title FROM book) b JOIN genre g USING (book_id)) AS j ORDER BY 1'
\set h 'SELECT j.book_id, j.title, j.genre FROM ((SELECT id AS book_id, title FROM book WHERE deleted_at IS NULL) b JOIN genre g USING (book_id)) AS j ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Self-join: both references are filtered, whatever the alias.
\set q 'SELECT x.id AS lo, y.id AS hi FROM author x JOIN vis_joins.author AS y ON x.id < y.id ORDER BY 1, 2'
\set h 'SELECT x.id AS lo, y.id AS hi FROM author x JOIN vis_joins.author AS y ON x.id < y.id WHERE x.deleted_at IS NULL AND y.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Self-join, one reference under the table's own name, the other aliased
-- with the name of another table.
\set q 'SELECT book.id, review.id AS same_author FROM book, book AS review WHERE review.author_id = book.author_id AND review.id <> book.id ORDER BY 1, 2'
\set h 'SELECT book.id, review.id AS same_author FROM book, book AS review WHERE review.author_id = book.author_id AND review.id <> book.id AND book.deleted_at IS NULL AND review.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- A hierarchy: an employee whose boss is deleted has no boss row.
CREATE TABLE emp (id int PRIMARY KEY, boss int, name text);
INSERT INTO emp VALUES (1, NULL, 'root'), (2, 1, 'mid'), (3, 2, 'leaf'),
	(4, 2, 'leaf2'), (5, 1, 'mid2'), (6, 5, 'leaf3');
SELECT softdelete.enable('emp');
DELETE FROM emp WHERE id IN (2, 6);
\set q 'SELECT e.name, b.name AS boss FROM emp e JOIN emp b ON b.id = e.boss ORDER BY 1'
\set h 'SELECT e.name, b.name AS boss FROM emp e JOIN emp b ON b.id = e.boss WHERE e.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Three-way join, explicit syntax.
\set q 'SELECT a.name, b.title, r.id AS review, r.stars FROM author a JOIN book b ON b.author_id = a.id JOIN review r ON r.book_id = b.id ORDER BY 3'
\set h 'SELECT a.name, b.title, r.id AS review, r.stars FROM author a JOIN book b ON b.author_id = a.id JOIN review r ON r.book_id = b.id WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND r.deleted_at IS NULL ORDER BY 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Three-way comma join with a table that is not enabled, grouped.
\set q 'SELECT g.genre, count(*) AS reviews, sum(r.stars) AS stars FROM genre g, book b, review r WHERE b.id = g.book_id AND r.book_id = b.id GROUP BY g.genre ORDER BY 1'
\set h 'SELECT g.genre, count(*) AS reviews, sum(r.stars) AS stars FROM genre g, book b, review r WHERE b.id = g.book_id AND r.book_id = b.id AND b.deleted_at IS NULL AND r.deleted_at IS NULL GROUP BY g.genre ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Join condition that is not an equality, DISTINCT and LIMIT.
\set q 'SELECT DISTINCT a.name FROM author a JOIN review r ON r.stars >= a.id + 2 ORDER BY 1 LIMIT 3'
\set h 'SELECT DISTINCT a.name FROM author a JOIN review r ON r.stars >= a.id + 2 WHERE a.deleted_at IS NULL AND r.deleted_at IS NULL ORDER BY 1 LIMIT 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Row locks only lock, and only return, live rows.
SELECT id FROM book ORDER BY id FOR SHARE;
SELECT b.id, a.id FROM book b JOIN author a ON a.id = b.author_id ORDER BY 1 FOR UPDATE OF b;

-- A flag column with another name and type, in another schema.
CREATE SCHEMA vis_joins_other;
CREATE TABLE vis_joins_other.thing (id int, gone timestamp, label text);
INSERT INTO vis_joins_other.thing VALUES (1, NULL, 'x'), (2, '2020-01-01', 'y'), (3, NULL, 'z');
SELECT softdelete.enable('vis_joins_other.thing', 'gone');
DELETE FROM vis_joins_other.thing WHERE id = 3;
\set q 'SELECT t.id, t.label, a.name FROM vis_joins_other.thing t JOIN author a ON a.id = t.id ORDER BY 1'
\set h 'SELECT t.id, t.label, a.name FROM vis_joins_other.thing t JOIN author a ON a.id = t.id WHERE t.gone IS NULL AND a.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET client_min_messages = warning;
DROP SCHEMA vis_joins_other CASCADE;
DROP SCHEMA vis_joins CASCADE;
RESET search_path;
RESET client_min_messages;
