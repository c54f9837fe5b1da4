-- Visibility in outer joins: a deleted row on the nullable side yields the
-- NULL-extended row, exactly as if it were absent (the filter belongs to the
-- ON clause, never the WHERE); a deleted row on the preserved side is absent;
-- FULL JOIN behaves the same on both sides.
--
-- For every query shape: q runs on the enabled tables; h is the same query
-- written by hand with "deleted_at IS NULL" in the right place, run with the
-- bypass on; then mismatches(q, h) checks automatically that both return the
-- same multiset of rows.
CREATE SCHEMA vis_outer;
SET search_path = vis_outer, public;

\i sql/include/mismatches.sql

CREATE TABLE customer (cust_id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (order_id int PRIMARY KEY, cust_id int, total int);
CREATE TABLE payment (pay_id int PRIMARY KEY, order_id int, amount int);
CREATE TABLE note (cust_id int, body text);     -- never enabled
INSERT INTO customer VALUES (1, 'ann'), (2, 'bob'), (3, 'cy'), (4, 'dee');
INSERT INTO orders VALUES
	(10, 1, 100), (11, 1, 110), (12, 2, 120), (13, 3, 130),
	(14, 9, 140), (15, 4, 150);
INSERT INTO payment VALUES
	(100, 10, 50), (101, 10, 60), (102, 12, 70), (103, 15, 80),
	(104, 11, 90), (105, 99, 95);
INSERT INTO note VALUES (1, 'n1'), (2, 'n2'), (3, 'n3'), (5, 'n5');
SELECT softdelete.enable('customer');
SELECT softdelete.enable('orders');
SELECT softdelete.enable('payment');
-- bob is deleted (his order 12 lives on); cy's only order 13 is deleted;
-- ann keeps order 10, her order 11 is deleted (its payment 104 lives on);
-- payment 101 of order 10 and dee's only payment 103 are deleted.
DELETE FROM customer WHERE cust_id = 2;
DELETE FROM orders WHERE order_id IN (11, 13);
DELETE FROM payment WHERE pay_id IN (101, 103);
SET softdelete.include_deleted = on;
SELECT 'customer' AS tbl, cust_id AS id, deleted_at IS NOT NULL AS deleted FROM customer
UNION ALL SELECT 'orders', order_id, deleted_at IS NOT NULL FROM orders
UNION ALL SELECT 'payment', pay_id, deleted_at IS NOT NULL FROM payment
ORDER BY 1, 2;
RESET softdelete.include_deleted;

-- LEFT JOIN, enabled tables on both sides: cy keeps a NULL-extended row
-- (her only order is deleted), bob is absent.
\set q 'SELECT c.name, o.order_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id ORDER BY 1, 2'
\set h 'SELECT c.name, o.order_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NULL WHERE c.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- The classic mistake: the filter of the nullable side in the WHERE clause
-- drops cy, who has no live order.  It returns fewer rows than the ON
-- version, and the extension's result is the ON version.
\set w 'SELECT c.name, o.order_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id WHERE c.deleted_at IS NULL AND o.deleted_at IS NULL ORDER BY 1, 2'
SET softdelete.include_deleted = on;
:w;
SELECT (SELECT count(*) FROM (:h) x) AS on_version,
       (SELECT count(*) FROM (:w) x) AS where_version;
RESET softdelete.include_deleted;
SELECT (SELECT count(*) FROM (:q) x) AS extension;
SELECT mismatches(:'q', :'h') AS vs_on_version, mismatches(:'q', :'w') AS vs_where_version;

-- RIGHT JOIN, the same with the sides swapped.
\set q 'SELECT c.name, o.order_id FROM orders o RIGHT JOIN customer c ON o.cust_id = c.cust_id ORDER BY 1, 2'
\set h 'SELECT c.name, o.order_id FROM orders o RIGHT JOIN customer c ON o.cust_id = c.cust_id AND o.deleted_at IS NULL WHERE c.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- RIGHT JOIN, enabled table on the nullable side only: order 12 of the
-- deleted bob and order 14 of an unknown customer are NULL-extended.
\set q 'SELECT o.order_id, c.name FROM customer c RIGHT JOIN orders o ON o.cust_id = c.cust_id ORDER BY 1'
\set h 'SELECT o.order_id, c.name FROM customer c RIGHT JOIN orders o ON o.cust_id = c.cust_id AND c.deleted_at IS NULL WHERE o.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Enabled table on the preserved side, plain table on the nullable side.
\set q 'SELECT c.name, n.body FROM customer c LEFT JOIN note n ON n.cust_id = c.cust_id ORDER BY 1, 2'
\set h 'SELECT c.name, n.body FROM customer c LEFT JOIN note n ON n.cust_id = c.cust_id WHERE c.deleted_at IS NULL ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Plain table preserved, enabled table nullable: n2 (bob) is NULL-extended.
\set q 'SELECT n.body, c.name FROM note n LEFT JOIN customer c ON c.cust_id = n.cust_id ORDER BY 1'
\set h 'SELECT n.body, c.name FROM note n LEFT JOIN customer c ON c.cust_id = n.cust_id AND c.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Anti-join written as LEFT JOIN ... IS NULL: customers without a live order.
\set q 'SELECT c.name FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id WHERE o.order_id IS NULL ORDER BY 1'
\set h 'SELECT c.name FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NULL WHERE o.order_id IS NULL AND c.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Counting through an outer join: cy has 0 orders, not 1.
\set q 'SELECT c.name, count(o.order_id) AS orders, coalesce(sum(o.total), 0) AS total FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id GROUP BY c.name ORDER BY 1'
\set h 'SELECT c.name, count(o.order_id) AS orders, coalesce(sum(o.total), 0) AS total FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NULL WHERE c.deleted_at IS NULL GROUP BY c.name ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- FULL JOIN with deleted rows on both sides: bob is absent and his order 12
-- is NULL-extended; cy is NULL-extended; orders 11 and 13 are absent.
\set q 'SELECT c.name, o.order_id FROM customer c FULL JOIN orders o ON o.cust_id = c.cust_id ORDER BY 2, 1'
\set h 'SELECT c.name, o.order_id FROM (SELECT * FROM customer WHERE deleted_at IS NULL) c FULL JOIN (SELECT * FROM orders WHERE deleted_at IS NULL) o ON o.cust_id = c.cust_id ORDER BY 2, 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- FULL JOIN ... USING: the merged column.
\set q 'SELECT cust_id, c.name, o.order_id FROM customer c FULL JOIN orders o USING (cust_id) ORDER BY 1, 3'
\set h 'SELECT cust_id, c.name, o.order_id FROM (SELECT * FROM customer WHERE deleted_at IS NULL) c FULL JOIN (SELECT * FROM orders WHERE deleted_at IS NULL) o USING (cust_id) ORDER BY 1, 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- FULL JOIN of an enabled table with itself.
\set q 'SELECT a.order_id AS a, b.order_id AS b FROM orders a FULL JOIN orders b ON b.order_id = a.order_id + 1 ORDER BY 1, 2'
\set h 'SELECT a.order_id AS a, b.order_id AS b FROM (SELECT * FROM orders WHERE deleted_at IS NULL) a FULL JOIN (SELECT * FROM orders WHERE deleted_at IS NULL) b ON b.order_id = a.order_id + 1 ORDER BY 1, 2'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Nested outer joins, left-deep: customer, orders, payments.
\set q 'SELECT c.name, o.order_id, p.pay_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id LEFT JOIN payment p ON p.order_id = o.order_id ORDER BY 1, 2, 3'
\set h 'SELECT c.name, o.order_id, p.pay_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NULL LEFT JOIN payment p ON p.order_id = o.order_id AND p.deleted_at IS NULL WHERE c.deleted_at IS NULL ORDER BY 1, 2, 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Nested outer joins, the inner join on the nullable side: dee's order 15
-- has no live payment, so dee is NULL-extended as a whole.
\set q 'SELECT c.name, o.order_id, p.pay_id FROM customer c LEFT JOIN (orders o JOIN payment p ON p.order_id = o.order_id) ON o.cust_id = c.cust_id ORDER BY 1, 2, 3'
\set h 'SELECT c.name, o.order_id, p.pay_id FROM customer c LEFT JOIN (orders o JOIN payment p ON p.order_id = o.order_id AND p.deleted_at IS NULL AND o.deleted_at IS NULL) ON o.cust_id = c.cust_id WHERE c.deleted_at IS NULL ORDER BY 1, 2, 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Nested: a LEFT JOIN inside the nullable side of a RIGHT JOIN.
\set q 'SELECT n.body, c.name, o.order_id FROM (customer c LEFT JOIN orders o ON o.cust_id = c.cust_id) RIGHT JOIN note n ON n.cust_id = c.cust_id ORDER BY 1, 3'
\set h 'SELECT n.body, c.name, o.order_id FROM (customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NULL) RIGHT JOIN note n ON n.cust_id = c.cust_id AND c.deleted_at IS NULL ORDER BY 1, 3'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- Three FULL JOINs: every level NULL-extends only what is live.
\set q 'SELECT c.name, o.order_id, p.pay_id FROM customer c FULL JOIN orders o ON o.cust_id = c.cust_id FULL JOIN payment p ON p.order_id = o.order_id ORDER BY 3, 2, 1'
\set h 'SELECT c.name, o.order_id, p.pay_id FROM (SELECT * FROM customer WHERE deleted_at IS NULL) c FULL JOIN (SELECT * FROM orders WHERE deleted_at IS NULL) o ON o.cust_id = c.cust_id FULL JOIN (SELECT * FROM payment WHERE deleted_at IS NULL) p ON p.order_id = o.order_id ORDER BY 3, 2, 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- ON referencing the columns of a deleted row of the nullable side: order 13
-- is the one that would match, it is deleted, so cy is NULL-extended.
\set q 'SELECT c.name, o.order_id, o.total FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.total = 130 ORDER BY 1'
\set h 'SELECT c.name, o.order_id, o.total FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.total = 130 AND o.deleted_at IS NULL WHERE c.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- ON naming the flag column itself: deleted rows never match.
\set q 'SELECT c.name, o.order_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NOT NULL ORDER BY 1'
\set h 'SELECT c.name, o.order_id FROM customer c LEFT JOIN orders o ON o.cust_id = c.cust_id AND o.deleted_at IS NOT NULL AND o.deleted_at IS NULL WHERE c.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- ON referencing a deleted row of the preserved side's table through the
-- nullable side: the deleted customer bob never matches his order 12.
\set q 'SELECT o.order_id, c.name FROM orders o LEFT JOIN customer c ON c.cust_id = o.cust_id AND c.name IN (''bob'', ''dee'') ORDER BY 1'
\set h 'SELECT o.order_id, c.name FROM orders o LEFT JOIN customer c ON c.cust_id = o.cust_id AND c.name IN (''bob'', ''dee'') AND c.deleted_at IS NULL WHERE o.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

-- WHERE over a NULL-extended column of a deleted row: coalesce sees NULL.
\set q 'SELECT o.order_id, coalesce(c.name, ''(none)'') AS name FROM orders o LEFT JOIN customer c ON c.cust_id = o.cust_id WHERE coalesce(c.name, ''(none)'') IN (''bob'', ''(none)'') ORDER BY 1'
\set h 'SELECT o.order_id, coalesce(c.name, ''(none)'') AS name FROM orders o LEFT JOIN customer c ON c.cust_id = o.cust_id AND c.deleted_at IS NULL WHERE coalesce(c.name, ''(none)'') IN (''bob'', ''(none)'') AND o.deleted_at IS NULL ORDER BY 1'
:q;
SET softdelete.include_deleted = on;
:h;
RESET softdelete.include_deleted;
SELECT mismatches(:'q', :'h');

SET client_min_messages = warning;
DROP SCHEMA vis_outer CASCADE;
RESET client_min_messages;
RESET search_path;
