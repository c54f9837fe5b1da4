/* softdelete--1.0--1.1.sql: the registry is read a row at a time */

\echo Use "ALTER EXTENSION softdelete UPDATE TO '1.1'" to load this file. \quit

/* A TRUNCATE leaves no old rows to read afterwards: read them before. */
CREATE TRIGGER registry_truncating
	BEFORE TRUNCATE ON softdelete.registry
	FOR EACH STATEMENT EXECUTE FUNCTION softdelete.registry_changed();

/*
 * Each backend reads the registry a row at a time, as queries need them
 * (by the primary key); these answer the hooks' "is anything enabled in
 * this mode?" and "whose archive is this table?" without reading it all.
 */
CREATE INDEX registry_mode ON softdelete.registry (mode);
CREATE INDEX registry_archive ON softdelete.registry (archive);
