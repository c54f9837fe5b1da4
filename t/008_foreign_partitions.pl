# An enabled partitioned table some of whose partitions are postgres_fdw
# foreign tables on a second server.
# - Reads are filtered, with the filter in the remote SQL; outer joins and
#   prepared statements behave as with local partitions; include_deleted
#   reaches the foreign partitions too (on and only).
# - DELETE of rows on a foreign partition is a soft delete on the remote
#   table (an UPDATE of its flag); restore and purge work across partitions.
# - The remote table may be enabled on its own server too (its rows then
#   safe from a DELETE sent there directly), with the role postgres_fdw
#   logs in as given include_deleted = on and hard_delete = on, so that
#   restore and purge from the local server reach its deleted rows (the
#   local server's soft deletes arrive there as UPDATEs).  A remote table that is not
#   enabled keeps its rows only on the local path.
# - A remote table without the flag column is refused at enable and when
#   it joins later; archive mode on such a tree is refused; foreign keys
#   PostgreSQL itself refuses on such a tree.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $preload = "shared_preload_libraries = 'softdelete'";

my $remote = PostgreSQL::Test::Cluster->new('remote');
$remote->init;
$remote->append_conf('postgresql.conf', $preload);
$remote->start;
my $local = PostgreSQL::Test::Cluster->new('local');
$local->init;
$local->append_conf('postgresql.conf', $preload);
$local->start;

$remote->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE ROLE fdw LOGIN SUPERUSER;
	-- the local server decides what is filtered and what is a soft delete:
	-- its soft deletes arrive as UPDATEs, its purges as DELETEs
	ALTER ROLE fdw SET softdelete.include_deleted = on;
	ALTER ROLE fdw SET softdelete.hard_delete = on;
	CREATE ROLE app LOGIN;
	-- enabled on its own server as well
	CREATE TABLE ev_2 (id int PRIMARY KEY, kind int, cust int, deleted_at timestamptz);
	INSERT INTO ev_2 VALUES (21, 2, 1, NULL), (22, 2, 2, NULL), (23, 2, 3, now() - interval '10 days');
	SELECT softdelete.enable('ev_2');
	-- a plain table there
	CREATE TABLE ev_3 (id int PRIMARY KEY, kind int, cust int, deleted_at timestamptz);
	INSERT INTO ev_3 VALUES (31, 3, 1, NULL), (32, 3, 3, NULL);
	-- no flag column
	CREATE TABLE ev_4 (id int PRIMARY KEY, kind int, cust int);
	INSERT INTO ev_4 VALUES (41, 4, 1);
	GRANT ALL ON ev_2, ev_3 TO app;
});

my $rhost = $remote->host;
my $rport = $remote->port;
$local->safe_psql('postgres', qq{
	CREATE EXTENSION softdelete;
	CREATE EXTENSION postgres_fdw;
	CREATE SERVER rem FOREIGN DATA WRAPPER postgres_fdw
		OPTIONS (host '$rhost', port '$rport', dbname 'postgres');
	CREATE USER MAPPING FOR CURRENT_USER SERVER rem OPTIONS (user 'fdw');
	CREATE TABLE cust (id int PRIMARY KEY, name text);
	INSERT INTO cust VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
	CREATE TABLE ev (id int, kind int, cust int, deleted_at timestamptz) PARTITION BY LIST (kind);
	CREATE TABLE ev_1 PARTITION OF ev FOR VALUES IN (1);
	CREATE FOREIGN TABLE ev_2 PARTITION OF ev FOR VALUES IN (2) SERVER rem OPTIONS (table_name 'ev_2');
	CREATE FOREIGN TABLE ev_3 PARTITION OF ev FOR VALUES IN (3) SERVER rem OPTIONS (table_name 'ev_3');
	INSERT INTO ev_1 VALUES (11, 1, 1, NULL), (12, 1, 4, NULL), (13, 1, 2, now() - interval '10 days');
	SELECT softdelete.enable('ev');
});

my $q = sub { $local->safe_psql('postgres', $_[0]) };
my $rq = sub { $remote->safe_psql('postgres', "SET softdelete.include_deleted = on; $_[0]") };

# --- reads
is($q->('SELECT string_agg(id::text, \',\' ORDER BY id) FROM ev'), '11,12,21,22,31,32',
	'reads skip deleted rows of local and foreign partitions');
my $plan = $q->('EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM ev WHERE cust = 1');
like($plan, qr/Remote SQL: SELECT id FROM public\.ev_2 WHERE \(\(deleted_at IS NULL\)\)/,
	'the filter is in the remote SQL of ev_2');
like($plan, qr/Remote SQL: SELECT id FROM public\.ev_3 WHERE \(\(deleted_at IS NULL\)\)/,
	'the filter is in the remote SQL of ev_3');
is($q->('SELECT count(*) FROM ONLY ev_2'), '2', 'a foreign partition named alone is filtered');

# --- outer joins: the filter in ON, as by hand
is($q->(q{SELECT string_agg(c.id || ':' || coalesce(e.id::text, '-'), ',' ORDER BY c.id, e.id)
		  FROM cust c LEFT JOIN ev e ON e.cust = c.id}),
	$q->(q{SET softdelete.include_deleted = on;
		  SELECT string_agg(c.id || ':' || coalesce(e.id::text, '-'), ',' ORDER BY c.id, e.id)
		  FROM cust c LEFT JOIN ev e ON e.cust = c.id AND e.deleted_at IS NULL}),
	'a LEFT JOIN to the partitioned table gives the answer of the query by hand');

# --- include_deleted on and only reach the foreign partitions
is($q->(q{SET softdelete.include_deleted = on; SELECT count(*) FROM ev}), '8', 'include_deleted = on: every row');
is($q->(q{SET softdelete.include_deleted = 'only'; SELECT string_agg(id::text, ',' ORDER BY id) FROM ev}),
	'13,23', "include_deleted = 'only': the deleted rows of both servers");

# --- DELETE is a soft delete on the remote table
my $out = $q->(q{DELETE FROM ev WHERE id IN (12, 22, 32) RETURNING id, deleted_at IS NOT NULL});
is($out, "12|t\n22|t\n32|t", 'DELETE on local and foreign partitions returns the marked rows');
like($q->('EXPLAIN (VERBOSE, COSTS OFF) DELETE FROM ev WHERE id = 21'),
	qr/Remote SQL: UPDATE public\.ev_2 SET deleted_at = /, 'the remote statement is an UPDATE of the flag');
is($rq->(q{SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM ev_2}),
	'21:false,22:true,23:true', 'the remote row of ev_2 is marked, not removed');
is($rq->(q{SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM ev_3}),
	'31:false,32:true', 'the remote row of ev_3 is marked, not removed');
is($q->('SELECT string_agg(id::text, \',\' ORDER BY id) FROM ev'), '11,21,31', 'and hidden');

# --- prepared statements follow the setting at each execution
is($q->(q{PREPARE n AS SELECT count(*) FROM ev WHERE kind IN (2, 3);
		  EXECUTE n; EXECUTE n; EXECUTE n; EXECUTE n; EXECUTE n;
		  SET softdelete.include_deleted = on; EXECUTE n;
		  SET softdelete.include_deleted = 'only'; EXECUTE n;
		  RESET softdelete.include_deleted; EXECUTE n}),
	"2\n2\n2\n2\n2\n5\n3\n2", 'a prepared statement over the foreign partitions follows the setting');

# --- restore and purge across partitions
is($q->(q{SELECT softdelete.restore('ev', 'id IN (12, 22, 32)')}), '3', 'restore reaches both servers');
is($q->('SELECT string_agg(id::text, \',\' ORDER BY id) FROM ev'), '11,12,21,22,31,32', 'the rows are back');
is($rq->('SELECT count(*) FROM ev_2 WHERE deleted_at IS NULL'), '2', 'on the remote server too');
is($q->(q{SELECT softdelete.purge('ev', '1 day')}), '2', 'purge erases old deleted rows on both servers');
is($rq->('SELECT string_agg(id::text, \',\' ORDER BY id) FROM ev_2'), '21,22', 'the remote row is gone');
is($q->(q{SET softdelete.include_deleted = on; SELECT count(*) FROM ev}), '6', 'and the local one');

# --- the remote server on its own: an enabled table keeps its rows from a
# DELETE sent there directly; a table that is not enabled does not
is($remote->safe_psql('postgres', q{SET ROLE app; DELETE FROM ev_2 WHERE id = 21; SELECT count(*) FROM ev_2}),
	'1', 'a DELETE on the remote server, enabled there: a soft delete');
is($rq->('SELECT count(*) FROM ev_2'), '2', 'the row is kept');
$remote->safe_psql('postgres', q{SET softdelete.include_deleted = on; UPDATE ev_2 SET deleted_at = NULL});
is($remote->safe_psql('postgres', q{SET ROLE app; DELETE FROM ev_3 WHERE id = 31; SELECT count(*) FROM ev_3}),
	'1', 'a DELETE on the remote server, not enabled there: physical (README)');

# --- a remote table without the flag column: refused
my ($ret, $stdout, $stderr) = $local->psql('postgres',
	q{CREATE FOREIGN TABLE ev_4 PARTITION OF ev FOR VALUES IN (4) SERVER rem OPTIONS (table_name 'ev_4')});
isnt($ret, 0, 'a foreign partition whose remote table lacks the flag column is refused');
like($stderr, qr/column "deleted_at" does not exist.*checking that foreign table "ev_4" of soft-delete table "ev" has the flag column "deleted_at" on its remote server/s,
	'with the remote error and the reason');
is($q->(q{SELECT count(*) FROM pg_class WHERE relname = 'ev_4'}), '0', 'and nothing is left');
($ret, $stdout, $stderr) = $local->psql('postgres', q{
	SELECT softdelete.disable('ev');
	CREATE FOREIGN TABLE ev_4 PARTITION OF ev FOR VALUES IN (4) SERVER rem OPTIONS (table_name 'ev_4');
	SELECT softdelete.enable('ev')});
isnt($ret, 0, 'enable of a tree with such a foreign partition is refused');
like($stderr, qr/checking that foreign table "ev_4"/, 'naming it');
is($q->(q{SELECT count(*) FROM softdelete.tables}), '0', 'the table is not enabled');

# --- foreign keys: PostgreSQL itself refuses them on such a tree (so there
# are no cascades to follow)
($ret, $stdout, $stderr) = $local->psql('postgres', q{
	CREATE TABLE kinds (k int PRIMARY KEY);
	ALTER TABLE ev ADD FOREIGN KEY (kind) REFERENCES kinds ON DELETE CASCADE});
like($stderr, qr/foreign key constraints are not supported on foreign tables/, 'no foreign key from the tree');
($ret, $stdout, $stderr) = $local->psql('postgres', q{ALTER TABLE ev ADD PRIMARY KEY (id, kind)});
like($stderr, qr/contains partitions that are foreign tables/, 'no unique key for one to reference');

# --- archive mode cannot move remote rows
($ret, $stdout, $stderr) = $local->psql('postgres', q{SELECT softdelete.enable_archive('ev')});
isnt($ret, 0, 'archive mode on a tree with foreign partitions is refused');
like($stderr, qr/archive mode is not supported on table "ev": "ev_\d" is a foreign table/, 'with the reason');
$q->(q{DROP FOREIGN TABLE ev_4; SELECT softdelete.enable('ev')});
is($q->('SELECT count(*) FROM ev'), '5', 'enabled again without it (row 31 was erased on the remote server)');

done_testing();
