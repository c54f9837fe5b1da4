-- INSERT targets are not filtered: a soft-deleted row keeps its unique key.
-- The documented remedy is a partial unique index on live rows.
CREATE TABLE tag (id serial, name text UNIQUE);
SELECT softdelete.enable('tag');
INSERT INTO tag (name) VALUES ('red'), ('blue');
DELETE FROM tag WHERE name = 'red';
SELECT name FROM tag ORDER BY name;
-- a plain unique constraint still sees the deleted 'red'
\set VERBOSITY terse
INSERT INTO tag (name) VALUES ('red');
\set VERBOSITY default

-- with a partial unique index on live rows, the key can be reused
CREATE TABLE label (id serial, name text, deleted_at timestamptz);
CREATE UNIQUE INDEX label_name_live ON label (name) WHERE deleted_at IS NULL;
SELECT softdelete.enable('label');
INSERT INTO label (name) VALUES ('red'), ('blue');
DELETE FROM label WHERE name = 'red';
INSERT INTO label (name) VALUES ('red')
  ON CONFLICT (name) WHERE deleted_at IS NULL DO NOTHING;
INSERT INTO label (name) VALUES ('blue')
  ON CONFLICT (name) WHERE deleted_at IS NULL DO UPDATE SET name = 'blue2';
SELECT name FROM label ORDER BY name;
SET softdelete.include_deleted = on;
SELECT name, deleted_at IS NOT NULL AS deleted FROM label ORDER BY name, deleted;
RESET softdelete.include_deleted;
DROP TABLE tag, label;
