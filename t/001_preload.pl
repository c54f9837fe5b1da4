# The library must be preloaded.  Without it, CREATE EXTENSION refuses with
# a hint; and in a server restarted without it, a DELETE on an enabled table
# fails instead of destroying rows (the guard trigger loads the library,
# which refuses to load), so every row, live and soft-deleted, survives.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $preload = "shared_preload_libraries = 'softdelete'";

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->start;

# Not preloaded: CREATE EXTENSION fails with the message and the hint.
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	'CREATE EXTENSION softdelete', extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($ret, 0, 'CREATE EXTENSION fails without shared_preload_libraries');
like($stderr, qr/softdelete must be loaded via shared_preload_libraries/,
	'the error names shared_preload_libraries');
like($stderr, qr/HINT:\s+Add softdelete to shared_preload_libraries/,
	'the error carries a hint');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_extension WHERE extname = 'softdelete'}),
	'0', 'nothing was created');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_namespace WHERE nspname = 'softdelete'}),
	'0', 'no schema left behind');

# Preloaded: the extension works.
$node->append_conf('postgresql.conf', $preload);
$node->restart;
$node->safe_psql('postgres', q{
	CREATE EXTENSION softdelete;
	CREATE TABLE item (id int PRIMARY KEY, name text);
	INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 5) g;
	SELECT softdelete.enable('item');
	DELETE FROM item WHERE id = 2;
	CREATE TABLE arch (id int PRIMARY KEY);
	INSERT INTO arch SELECT generate_series(1, 3);
	SELECT softdelete.enable_archive('arch');
	DELETE FROM arch WHERE id = 1;
	-- an inheritance child joining later and a partition hold rows too
	CREATE TABLE arch_child () INHERITS (arch);
	INSERT INTO arch_child VALUES (10);
	CREATE TABLE meas (id int PRIMARY KEY) PARTITION BY RANGE (id);
	CREATE TABLE meas_1 PARTITION OF meas FOR VALUES FROM (0) TO (10);
	INSERT INTO meas VALUES (1);
	SELECT softdelete.enable('meas');
});
is($node->safe_psql('postgres', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM item'),
	'1,3,4,5', 'preloaded: the deleted row is hidden');

# Restart without the library.
$node->adjust_conf('postgresql.conf', 'shared_preload_libraries', "''");
$node->restart;
is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), '',
	'restarted without the library');

($ret, $stdout, $stderr) = $node->psql('postgres', 'DELETE FROM item');
isnt($ret, 0, 'not preloaded: DELETE FROM an enabled table fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');

($ret, $stdout, $stderr) = $node->psql('postgres', 'DELETE FROM item WHERE id = 3');
isnt($ret, 0, 'not preloaded: DELETE of one row fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');

# The same failure inside a function and in a CTE: still refused.
($ret, $stdout, $stderr) = $node->psql('postgres',
	'WITH d AS (DELETE FROM item WHERE id = 4 RETURNING id) SELECT count(*) FROM d');
isnt($ret, 0, 'not preloaded: DELETE in a CTE fails');
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{DO $$ BEGIN DELETE FROM item WHERE id = 5; END $$});
isnt($ret, 0, 'not preloaded: DELETE in PL/pgSQL fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');

($ret, $stdout, $stderr) = $node->psql('postgres', 'TRUNCATE item');
isnt($ret, 0, 'not preloaded: TRUNCATE of an enabled table fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');

# Archive mode: a DELETE that cannot archive does not delete.
($ret, $stdout, $stderr) = $node->psql('postgres', 'DELETE FROM arch');
isnt($ret, 0, 'not preloaded: DELETE FROM an archive-mode table fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');
($ret, $stdout, $stderr) = $node->psql('postgres', 'TRUNCATE arch');
isnt($ret, 0, 'not preloaded: TRUNCATE of an archive-mode table fails');
is($node->safe_psql('postgres',
	q{SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM arch) || ' / ' ||
	         (SELECT string_agg(id::text, ',' ORDER BY id) FROM arch_archive)}),
	'2,3,10 / 1', 'not preloaded: archive-mode rows and archive untouched');

($ret, $stdout, $stderr) = $node->psql('postgres', 'DELETE FROM arch_child');
isnt($ret, 0, 'not preloaded: DELETE naming an inheritance child fails');
($ret, $stdout, $stderr) = $node->psql('postgres', 'TRUNCATE meas_1');
isnt($ret, 0, 'not preloaded: TRUNCATE of a partition fails');
like($stderr, qr/shared_preload_libraries/,
	'the error mentions shared_preload_libraries');
is($node->safe_psql('postgres',
	q{SELECT (SELECT count(*) FROM arch_child) || ' ' || (SELECT count(*) FROM meas_1)}),
	'1 1', 'not preloaded: the child\'s and the partition\'s rows are kept');

# Every row, live and deleted, is still there; checked with the library back.
$node->adjust_conf('postgresql.conf', 'shared_preload_libraries', "'softdelete'");
$node->restart;
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM item}),
	'1:false,2:true,3:false,4:false,5:false',
	'every row survived, only row 2 marked deleted');
is($node->safe_psql('postgres', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM item'),
	'1,3,4,5', 'preloaded again: filtering is back');
is($node->safe_psql('postgres', q{
	WITH d AS (DELETE FROM item WHERE id = 3 RETURNING id) SELECT count(*) FROM d}),
	'1', 'DELETE works again');
is($node->safe_psql('postgres', q{
	SET softdelete.include_deleted = on;
	SELECT count(*) || '/' || count(deleted_at) FROM item}),
	'5/2', 'and it is a soft delete');
is($node->safe_psql('postgres', q{
	DELETE FROM arch WHERE id = 2;
	SELECT string_agg(id::text, ',' ORDER BY id) FROM arch_archive}),
	'1,2', 'archive mode archives again');

$node->stop;
done_testing();
