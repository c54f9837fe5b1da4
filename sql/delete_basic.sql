-- A DELETE on an enabled table marks the row; queries no longer see it.
CREATE TABLE item (id int PRIMARY KEY, name text);
INSERT INTO item VALUES (1, 'one'), (2, 'two'), (3, 'three');
SELECT softdelete.enable('item');
DELETE FROM item WHERE id = 2;
SELECT id, name FROM item ORDER BY id;
SET softdelete.include_deleted = on;
SELECT id, name, deleted_at IS NOT NULL AS deleted FROM item ORDER BY id;
RESET softdelete.include_deleted;
DROP TABLE item;
