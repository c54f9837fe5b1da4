-- The stamps ORMs already write, adopted as they are: old deleted rows stay
-- deleted, a new DELETE stamps the column in its own type and precision,
-- restore clears it.  Laravel SoftDeletes: deleted_at timestamp(0) (UTC);
-- Rails paranoia: deleted_at timestamp(6), discard: discarded_at;
-- django-safedelete: deleted timestamptz; Sequelize (paranoid) and TypeORM
-- (@DeleteDateColumn): "deletedAt" timestamptz, a quoted mixed-case name.
SET TimeZone = 'Europe/Paris';
CREATE TABLE laravel_posts (id bigserial PRIMARY KEY, title varchar(255),
  created_at timestamp(0), updated_at timestamp(0), deleted_at timestamp(0));
CREATE TABLE rails_orders (id bigserial PRIMARY KEY, total numeric,
  created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL, deleted_at timestamp(6));
CREATE INDEX index_rails_orders_on_deleted_at ON rails_orders (deleted_at);
CREATE TABLE discard_items (id bigserial PRIMARY KEY, name varchar, discarded_at timestamp(6));
CREATE TABLE shop_article (id bigserial PRIMARY KEY, name varchar(100) NOT NULL,
  deleted timestamp with time zone NULL, deleted_by_cascade boolean NOT NULL DEFAULT false);
CREATE TABLE "Users" (id serial PRIMARY KEY, "firstName" varchar(255),
  "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now(),
  "deletedAt" timestamptz);
INSERT INTO laravel_posts (title, deleted_at) VALUES ('kept', NULL), ('old', '2024-01-02 03:04:05');
INSERT INTO rails_orders (total, created_at, updated_at, deleted_at)
  VALUES (1, now(), now(), NULL), (2, now(), now(), '2024-01-02 03:04:05.123456');
INSERT INTO discard_items (name, discarded_at) VALUES ('a', NULL), ('b', '2024-01-02 03:04:05.5');
INSERT INTO shop_article (name, deleted) VALUES ('a', NULL), ('b', '2024-01-02 03:04:05+00');
INSERT INTO "Users" ("firstName", "deletedAt") VALUES ('ann', NULL), ('bob', '2024-01-02 03:04:05+00');
SELECT softdelete.enable('laravel_posts');
SELECT softdelete.enable('rails_orders');
SELECT softdelete.enable('discard_items', 'discarded_at');
SELECT softdelete.enable('shop_article', 'deleted');
SELECT softdelete.enable('"Users"', 'deletedAt');
SELECT table_name, column_name, flag_type FROM softdelete.tables ORDER BY table_name::text;

-- old deleted rows stay deleted
SELECT title FROM laravel_posts;
SELECT total FROM rails_orders;
SELECT name FROM discard_items;
SELECT name FROM shop_article;
SELECT "firstName" FROM "Users";

-- a new DELETE stamps now(): in UTC for timestamp (without time zone),
-- rounded to the column's precision
BEGIN;
DELETE FROM laravel_posts WHERE title = 'kept';
DELETE FROM rails_orders WHERE total = 1;
DELETE FROM discard_items WHERE name = 'a';
DELETE FROM shop_article WHERE name = 'a';
DELETE FROM "Users" WHERE "firstName" = 'ann';
SET LOCAL softdelete.include_deleted = on;
SELECT title, deleted_at = date_trunc('second', (now() AT TIME ZONE 'UTC') + interval '0.5 second') AS stamped_utc_seconds
  FROM laravel_posts ORDER BY id;
SELECT total, deleted_at = (now() AT TIME ZONE 'UTC') AS stamped_utc FROM rails_orders ORDER BY id;
SELECT name, discarded_at = (now() AT TIME ZONE 'UTC') AS stamped_utc FROM discard_items ORDER BY id;
SELECT name, deleted = now() AS stamped FROM shop_article ORDER BY id;
SELECT "firstName", "deletedAt" = now() AS stamped FROM "Users" ORDER BY id;
-- restore clears each column
SET LOCAL softdelete.include_deleted = off;
SELECT softdelete.restore('laravel_posts'), softdelete.restore('rails_orders'),
       softdelete.restore('discard_items'), softdelete.restore('shop_article'),
       softdelete.restore('"Users"');
SELECT (SELECT count(*) FROM laravel_posts) AS laravel, (SELECT count(*) FROM rails_orders) AS rails,
       (SELECT count(*) FROM discard_items) AS discard, (SELECT count(*) FROM shop_article) AS django,
       (SELECT count(*) FROM "Users") AS sequelize;
ROLLBACK;

-- the queries these ORMs write keep their answers: Laravel's and
-- Sequelize's own filter, Rails' unscoped read of deleted rows, paranoia's
-- only_deleted and Laravel's onlyTrashed() under include_deleted = 'only'
select * from "laravel_posts" where "laravel_posts"."deleted_at" is null;
SELECT "id", "firstName" FROM "Users" AS "Users" WHERE ("Users"."deletedAt" IS NULL);
SET softdelete.include_deleted = 'only';
select "title" from "laravel_posts" where "laravel_posts"."deleted_at" is not null;
SELECT "rails_orders"."total" FROM "rails_orders";
SELECT name FROM shop_article;
RESET softdelete.include_deleted;
-- Sequelize's paranoid destroy is an UPDATE of "deletedAt": it keeps working
UPDATE "Users" SET "deletedAt" = '2025-05-05 05:05:05+00', "updatedAt" = now() WHERE "id" = 1 AND "deletedAt" IS NULL;
SELECT "firstName" FROM "Users";
DROP TABLE laravel_posts, rails_orders, discard_items, shop_article, "Users";
RESET TimeZone;
