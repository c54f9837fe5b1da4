-- Included by the visibility tests (\i, from the directory pg_regress runs in): the agreement check.
-- q runs as is, h with softdelete.include_deleted = on; returns the number
-- of rows found in one result and not the other (0: they agree).
CREATE FUNCTION mismatches(q text, h text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	a text[] := '{}';
	b text[] := '{}';
	n bigint;
BEGIN
	FOR r IN EXECUTE q LOOP a := a || r::text; END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'on', true);
	FOR r IN EXECUTE h LOOP b := b || r::text; END LOOP;
	PERFORM set_config('softdelete.include_deleted', 'off', true);
	SELECT count(*) INTO n
	  FROM ((SELECT unnest(a) EXCEPT ALL SELECT unnest(b))
	        UNION ALL
	        (SELECT unnest(b) EXCEPT ALL SELECT unnest(a))) d;
	RETURN n;
END $$;
