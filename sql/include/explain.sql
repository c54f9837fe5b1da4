-- Included by tests that print plans (\i): EXPLAIN output without what
-- differs between majors and says nothing about the plan: 18's "Disabled"
-- marks, its "Index Searches" counts, buffer counts, and its fractional
-- row counts ("rows=1.00" is "rows=1").
CREATE FUNCTION explain_lines(cmd text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE cmd LOOP
		CONTINUE WHEN line ~ '^\s*(Disabled: true|Index Searches: \d+|Buffers: .*|Planning:)$';
		RETURN NEXT regexp_replace(line, 'rows=(\d+)\.00\M', 'rows=\1', 'g');
	END LOOP;
END $$;
