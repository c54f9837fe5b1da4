-- Applications that still write "deleted_at IS NULL" themselves: where their
-- qual already restricts the table's rows as a scan qual would (WHERE or an
-- inner join's ON for a table that is not on a nullable side; the ON clause
-- of the outer join whose nullable side it is), the hook adds nothing, so the
-- plan and its estimates are those of the query as written.  Elsewhere the
-- hook's filter is still added, under the join.
CREATE TABLE lf_a (id int PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE lf_b (id int PRIMARY KEY, a_id int, deleted_at timestamptz);
INSERT INTO lf_a SELECT g, 'a' || g, CASE WHEN g % 4 = 0 THEN now() END
  FROM generate_series(1, 2000) g;
INSERT INTO lf_b SELECT g, g % 2000, CASE WHEN g % 3 = 0 THEN now() END
  FROM generate_series(1, 4000) g;
CREATE TABLE lf_a_plain AS SELECT * FROM lf_a;
CREATE TABLE lf_b_plain AS SELECT * FROM lf_b;
ALTER TABLE lf_a_plain ADD PRIMARY KEY (id);
ALTER TABLE lf_b_plain ADD PRIMARY KEY (id);
ANALYZE lf_a, lf_b, lf_a_plain, lf_b_plain;
SELECT softdelete.enable('lf_a');
SELECT softdelete.enable('lf_b');

-- estimated rows of the top plan node
CREATE FUNCTION lf_rows(q text) RETURNS float LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || q INTO plan;
	RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float;
END $$;

-- filter written in WHERE: no second filter
EXPLAIN (COSTS OFF) SELECT * FROM lf_a WHERE deleted_at IS NULL AND name LIKE 'a1%';
SELECT lf_rows($$SELECT * FROM lf_a WHERE deleted_at IS NULL AND name LIKE 'a1%'$$)
     = lf_rows($$SELECT * FROM lf_a_plain WHERE deleted_at IS NULL AND name LIKE 'a1%'$$)
       AS same_estimate;

-- in an inner join's ON, and for the nullable side in the outer join's ON
EXPLAIN (COSTS OFF)
SELECT a.id, b.id FROM lf_a a
  JOIN lf_b b ON b.a_id = a.id AND a.deleted_at IS NULL
  LEFT JOIN lf_b b2 ON b2.a_id = a.id AND b2.deleted_at IS NULL
 WHERE b.deleted_at IS NULL;
SELECT lf_rows($$SELECT a.id FROM lf_a a JOIN lf_b b ON b.a_id = a.id AND a.deleted_at IS NULL
                 LEFT JOIN lf_b b2 ON b2.a_id = a.id AND b2.deleted_at IS NULL WHERE b.deleted_at IS NULL$$)
     = lf_rows($$SELECT a.id FROM lf_a_plain a JOIN lf_b_plain b ON b.a_id = a.id AND a.deleted_at IS NULL
                 LEFT JOIN lf_b_plain b2 ON b2.a_id = a.id AND b2.deleted_at IS NULL WHERE b.deleted_at IS NULL$$)
       AS same_estimate;

-- the classic mistake, the nullable side's filter in WHERE: the hook's filter
-- still goes under the join (deleted rows are absent), theirs stays above
EXPLAIN (COSTS OFF)
SELECT a.id, b.id FROM lf_a a LEFT JOIN lf_b b ON b.a_id = a.id
 WHERE b.deleted_at IS NULL;
SELECT count(*) FROM lf_a a LEFT JOIN lf_b b ON b.a_id = a.id WHERE b.deleted_at IS NULL;
SELECT count(*) FROM lf_a_plain a LEFT JOIN lf_b_plain b ON b.a_id = a.id AND b.deleted_at IS NULL
 WHERE a.deleted_at IS NULL;

-- inside an OR the qual restricts nothing by itself: the filter is added
EXPLAIN (COSTS OFF) SELECT * FROM lf_a WHERE deleted_at IS NULL OR id < 3;
SELECT count(*) FROM lf_a WHERE deleted_at IS NULL OR id < 5;

-- a FULL JOIN's ON restricts neither side: both get the filter
EXPLAIN (COSTS OFF)
SELECT a.id, b.id FROM lf_a a FULL JOIN lf_b b
  ON b.a_id = a.id AND a.deleted_at IS NULL AND b.deleted_at IS NULL;

DROP FUNCTION lf_rows(text);
DROP TABLE lf_a, lf_b, lf_a_plain, lf_b_plain;
