-- Archive mode: a column added to the live table reaches the archive with,
-- in the rows archived before, the value that the live rows got; a column
-- converted with USING converts the archived values with the same
-- expression.  So a restored row comes back as a row that had stayed live
-- through the ALTER would be, and an ALTER that the live table accepts is
-- not refused because of archived rows.
CREATE SCHEMA aac;
SET search_path = aac, public;

CREATE TABLE d (id int PRIMARY KEY);
INSERT INTO d VALUES (1), (2), (3);
SELECT softdelete.enable_archive('d');
DELETE FROM d WHERE id IN (1, 2);
-- a constant default, NOT NULL
ALTER TABLE d ADD COLUMN status text NOT NULL DEFAULT 'active';
-- a nullable default
ALTER TABLE d ADD COLUMN n int DEFAULT 7;
-- no default: NULL for everyone
ALTER TABLE d ADD COLUMN memo text;
-- a volatile default: every row, live or archived, gets its own value
ALTER TABLE d ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();
-- an identity column and a serial: the archived rows take numbers too
ALTER TABLE d ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE d ADD COLUMN ser serial;
-- a stored generated column is computed again on restore
ALTER TABLE d ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
SELECT id, status, n, memo, token IS NOT NULL AS has_token, seq IS NOT NULL AS has_seq,
	ser IS NOT NULL AS has_ser, twice FROM d_archive ORDER BY id;
SELECT count(DISTINCT token) AS tokens, count(DISTINCT seq) AS seqs, count(DISTINCT ser) AS sers
  FROM (SELECT token, seq, ser FROM d UNION ALL SELECT token, seq, ser FROM d_archive) u;
-- the archive has no defaults of its own
SELECT count(*) AS archive_defaults FROM pg_attrdef WHERE adrelid = 'd_archive'::regclass
   AND adnum <> (SELECT attnum FROM pg_attribute WHERE attrelid = 'd_archive'::regclass
                  AND attname = 'archive_id');
SELECT softdelete.restore('d');
SELECT id, status, n, memo, twice FROM d ORDER BY id;
SELECT count(DISTINCT seq) AS distinct_seq FROM d;

-- a NOT NULL domain with a default (the live table accepts it)
CREATE DOMAIN nn AS int NOT NULL;
CREATE TABLE dd (id int PRIMARY KEY);
INSERT INTO dd VALUES (1), (2);
SELECT softdelete.enable_archive('dd');
DELETE FROM dd WHERE id = 1;
ALTER TABLE dd ADD COLUMN z nn DEFAULT 0;
-- a domain's own default is what rows get when the column has none
CREATE DOMAIN level AS int DEFAULT 3 CHECK (VALUE > 0);
ALTER TABLE dd ADD COLUMN lvl level;
SELECT id, z, lvl FROM dd_archive;
SELECT softdelete.restore('dd');
SELECT id, z, lvl FROM dd ORDER BY id;

-- ALTER TYPE ... USING: the archive converts with the same expression
CREATE TABLE price (id int PRIMARY KEY, cents int, label text);
INSERT INTO price VALUES (1, 1050, 'a,b'), (2, 299, '(c)'), (3, 100, 'd');
SELECT softdelete.enable_archive('price');
DELETE FROM price WHERE id IN (1, 2);
ALTER TABLE price ALTER COLUMN cents TYPE numeric(10, 2) USING cents / 100.0,
	ALTER COLUMN label TYPE text[] USING string_to_array(replace(label, '(', ','), ','),
	ADD COLUMN added date DEFAULT '2026-01-01';
SELECT id, cents, label, added FROM price_archive ORDER BY id;
SELECT softdelete.restore('price', 'id = 1');
SELECT * FROM price ORDER BY id;
-- several statements in one string, a USING with a comment and a quote
ALTER TABLE price ALTER COLUMN cents TYPE numeric(12, 3) USING /* , */ cents * 10 ; SELECT 'done, '';''' AS next;
SELECT id, cents FROM price ORDER BY id;
SELECT id, cents FROM price_archive ORDER BY id;
-- the same in a function (the statement's text is the function's)
CREATE FUNCTION aac_retype() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	ALTER TABLE aac.price ALTER COLUMN cents TYPE bigint USING (cents * 1000)::bigint;
END $$;
SELECT aac_retype();
SELECT id, cents FROM price ORDER BY id;
SELECT id, cents FROM price_archive ORDER BY id;

-- enable_archive after disable: columns the live table gained meanwhile
-- come with the value its rows got
SELECT softdelete.disable('price');
ALTER TABLE price ADD COLUMN region text NOT NULL DEFAULT 'eu';
SELECT softdelete.enable_archive('price');
SELECT id, region FROM price_archive ORDER BY id;
SELECT softdelete.restore('price');
SELECT id, cents, region FROM price ORDER BY id;

-- with versions: old versions get the new column's value too
CREATE TABLE acct (id int PRIMARY KEY, balance int);
INSERT INTO acct VALUES (1, 10);
SELECT softdelete.enable_archive('acct', versions => true);
UPDATE acct SET balance = 20;
ALTER TABLE acct ADD COLUMN currency text NOT NULL DEFAULT 'EUR';
SELECT id, balance, currency, archive_op FROM acct_archive ORDER BY archive_id;

RESET search_path;
DROP SCHEMA aac CASCADE;
