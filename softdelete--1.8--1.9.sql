/* softdelete--1.8--1.9.sql: softdelete.library_version, checked before the update */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.9'" to load this file. \quit

/*
 * The library the server runs must be this version or newer: installing a
 * package over a running server replaces the library's file, not the
 * library the server loaded when it started (shared_preload_libraries),
 * and an older library must not run this version's objects.
 */
DO $$
DECLARE
	lib text := current_setting('softdelete.library_version', true);
BEGIN
	IF lib IS NULL OR lib !~ '^[0-9]+(\.[0-9]+)*$'
	   OR string_to_array(lib, '.')::int[] < '{1,9}' THEN
		RAISE EXCEPTION 'softdelete 1.9 needs the softdelete library of version 1.9 or later'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN lib IS NULL
					THEN 'This server did not load the softdelete library when it started, or loaded one older than 1.9.'
					ELSE format('This server runs the softdelete library of version %s.', lib) END,
				  HINT = 'The server loads the library when it starts: restart it after installing a new package (softdelete must be in shared_preload_libraries), then run this again.';
	END IF;
END
$$;
