# Citus (when its library is installed; skipped, saying so, otherwise): a
# coordinator and two workers, softdelete preloaded after Citus on each.
# - Flag mode on hash-distributed (co-located) tables and a reference table, enabled
#   from the coordinator (enable lets its triggers through to the shards):
#   router and multi-shard reads filtered on every shard, joins between
#   them including outer joins, DELETE as a soft delete, restore, purge (in
#   a transaction block), include_deleted on and only, prepared statements.
# - The shards on the workers, reached directly: a physical DELETE is
#   refused by the guard; so is one sent by a coordinator restarted without
#   softdelete.
# - The other order of shared_preload_libraries: Citus refuses to start.
# - Refused, saying why: archive mode, foreign keys, Citus local tables.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pkglibdir = `pg_config --pkglibdir`;
chomp $pkglibdir;
if (!-e "$pkglibdir/citus.so")
{
	plan skip_all => "Citus is not installed ($pkglibdir/citus.so): not tested";
}

my $conf = qq{
shared_preload_libraries = 'citus,softdelete'
max_prepared_transactions = 20
wal_level = logical
};
my @nodes;
for my $name ('coordinator', 'worker1', 'worker2')
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', $conf);
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	push @nodes, $node;
}
my ($coord, @workers) = @nodes;

# the other order: Citus itself refuses to start
my $wrong = PostgreSQL::Test::Cluster->new('wrong_order');
$wrong->init;
$wrong->append_conf('postgresql.conf', "shared_preload_libraries = 'softdelete,citus'");
ok(!$wrong->start(fail_ok => 1), "shared_preload_libraries = 'softdelete,citus' does not start");
like(slurp_file($wrong->logfile), qr/Citus has to be loaded first/, 'Citus says so');
# the nodes reach each other over their Unix sockets (a directory is a host)
$coord->safe_psql('postgres', "SELECT citus_set_coordinator_host('" . $coord->host . "', " . $coord->port . ')');
$coord->safe_psql('postgres', "SELECT citus_add_node('" . $_->host . "', " . $_->port . ')') for @workers;
is($coord->safe_psql('postgres', 'SELECT count(*) FROM citus_get_active_worker_nodes()'), '2',
	'a coordinator and two workers');
note('Citus ' . $coord->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'citus'}));

my $q = sub { $coord->safe_psql('postgres', $_[0]) };
$q->(q{
	CREATE EXTENSION softdelete;
	CREATE TABLE orders (id int PRIMARY KEY, country text, deleted_at timestamptz);
	SELECT create_distributed_table('orders', 'id');
	CREATE TABLE countries (code text PRIMARY KEY, name text);
	SELECT create_reference_table('countries');
	INSERT INTO orders SELECT g, CASE WHEN g % 2 = 0 THEN 'fr' ELSE 'de' END FROM generate_series(1, 100) g;
	INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany'), ('it', 'Italy');
	CREATE TABLE lines (order_id int, n int, deleted_at timestamptz, PRIMARY KEY (order_id, n));
	SELECT create_distributed_table('lines', 'order_id', colocate_with => 'orders');
	INSERT INTO lines SELECT g, k FROM generate_series(1, 100) g, generate_series(1, 2) k;
	SELECT softdelete.enable('orders');
	SELECT softdelete.enable('countries');
	SELECT softdelete.enable('lines');
});
is($q->(q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'countries'::regclass AND attname = 'deleted_at'}),
	'1', 'enable added the flag column to the reference table');

# DELETE is a soft delete, router and multi-shard
is($q->('DELETE FROM orders WHERE id = 7'), '', 'a router DELETE');
is($q->(q{DELETE FROM orders WHERE id BETWEEN 11 AND 20; DELETE FROM countries WHERE code = 'it'; SELECT 1}), '1',
	'a multi-shard DELETE and one on a reference table');
is($q->('SELECT count(*) FROM orders'), '89', 'multi-shard reads see live rows');
is($q->('SELECT count(*) FROM orders WHERE id = 7'), '0', 'a router read does not see the deleted row');
like($q->('EXPLAIN (COSTS OFF) SELECT * FROM orders WHERE id = 8'), qr/Filter: \(deleted_at IS NULL\)/,
	'the filter goes to the shard');
is($q->('SET softdelete.include_deleted = on; SELECT count(*) FROM orders'), '100', 'every row is kept');
is($q->(q{SET softdelete.include_deleted = 'only'; SELECT string_agg(code, ',') FROM countries}), 'it',
	"include_deleted = 'only'");

# joins, outer joins
is($q->(q{SELECT count(*) FROM orders o JOIN countries c ON c.code = o.country}), '89', 'a join to a reference table');
is($q->(q{SELECT string_agg(c.code || ':' || n, ',' ORDER BY c.code) FROM
		  (SELECT c.code, count(o.id) AS n FROM countries c LEFT JOIN orders o ON o.country = c.code GROUP BY 1) c}),
	'de:44,fr:45', 'a LEFT JOIN from the reference table: the deleted country is absent, deleted orders are not counted');
$q->(q{DELETE FROM countries WHERE code = 'de'});
is($q->(q{SELECT count(*) FROM orders o LEFT JOIN countries c ON c.code = o.country WHERE c.code IS NULL}), '44',
	'a LEFT JOIN to it: orders of a deleted country are NULL-extended');

# co-located distributed tables: router and multi-shard joins
$q->(q{DELETE FROM lines WHERE order_id = 8 AND n = 1; DELETE FROM lines WHERE order_id = 9});
is($q->(q{SELECT count(l.n) FROM orders o JOIN lines l ON l.order_id = o.id WHERE o.id = 8}), '1', 'a router join');
is($q->(q{SELECT count(*) FROM orders o JOIN lines l ON l.order_id = o.id}), '175',
	'a multi-shard join: live lines of live orders');
is($q->(q{SELECT count(*) FROM orders o LEFT JOIN lines l ON l.order_id = o.id WHERE l.n IS NULL}), '1',
	'a LEFT JOIN: the order whose lines are all deleted is NULL-extended');

# prepared statements follow the setting
is($q->(q{PREPARE n(int) AS SELECT count(*) FROM orders WHERE id = $1;
		  EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7); EXECUTE n(7);
		  SET softdelete.include_deleted = on; EXECUTE n(7); RESET softdelete.include_deleted; EXECUTE n(7)}),
	"0\n0\n0\n0\n0\n0\n1\n0", 'a prepared router query follows the setting at each execution');

# restore
is($q->(q{SELECT softdelete.restore('countries', $$code = 'de'$$)}), '1', 'restore of a reference table row');
is($q->(q{SELECT softdelete.restore('orders', 'id BETWEEN 11 AND 15')}), '5', 'restore on the shards');
is($q->('SELECT count(*) FROM orders'), '94', 'the rows are back');

# the shards, reached on a worker directly
my $w = $workers[0];
my $shard = $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
	SELECT relname FROM pg_class WHERE relname LIKE 'orders\_1%' AND relkind = 'r' ORDER BY 1 LIMIT 1});
my ($ret, $stdout, $stderr) = $w->psql('postgres', "SET citus.override_table_visibility = off; DELETE FROM $shard");
isnt($ret, 0, "a DELETE on shard $shard on a worker is refused");
like($stderr, qr/cannot delete rows of shard "$shard" physically: soft delete is enabled on its table "orders"/, 'saying why');

# purge: in a transaction block, erases the deleted rows on every shard
($ret, $stdout, $stderr) = $coord->psql('postgres', q{SELECT softdelete.purge('orders')});
like($stderr, qr/must run in a transaction block/, 'purge outside a transaction block is refused');
is($q->(q{BEGIN; SELECT softdelete.purge('orders'); COMMIT}), '6', 'purge in a block erases the deleted rows');
is($q->('SET softdelete.include_deleted = on; SELECT count(*) FROM orders'), '94', 'on the shards');
is($q->(q{DELETE FROM orders WHERE id = 30; SELECT count(*) FROM orders}), '93',
	'after purge, a DELETE is a soft delete again');

# a coordinator restarted without softdelete: its DELETE reaches the shards
# as a DELETE, and the guard there refuses it
$coord->append_conf('postgresql.conf', "shared_preload_libraries = 'citus'");
$coord->restart;
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM orders WHERE id = 40');
isnt($ret, 0, 'a coordinator without softdelete cannot delete rows of an enabled distributed table');
like($stderr, qr/cannot delete rows of shard "orders_\d+" physically/, 'the guard on the worker refuses');
($ret, $stdout, $stderr) = $coord->psql('postgres', 'DELETE FROM countries');
isnt($ret, 0, 'nor of an enabled reference table');
like($stderr, qr/physically|must be loaded via shared_preload_libraries/,
	'refused on the shards (on the coordinator its own copy\'s guard cannot even load)');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM orders'), '94', 'every row is kept, deleted ones included (none is filtered now)');
$coord->append_conf('postgresql.conf', "shared_preload_libraries = 'citus,softdelete'");
$coord->restart;
is($q->('SELECT count(*) FROM orders'), '93', 'with softdelete back, the same rows are live');


# refused, saying why
for my $case (
	[ q{SELECT softdelete.disable('orders'); SELECT softdelete.enable_archive('orders')}, qr/archive mode is not supported on table "orders": it is a Citus distributed table/ ],
	[ q{CREATE TABLE items (id int, order_id int, deleted_at timestamptz, PRIMARY KEY (order_id, id),
		  FOREIGN KEY (order_id) REFERENCES orders ON DELETE CASCADE);
		SELECT create_distributed_table('items', 'order_id', colocate_with => 'orders');
		SELECT softdelete.enable('orders')}, qr/soft delete with foreign keys is not supported on table "orders"/ ],
	[ q{CREATE TABLE notes (id int PRIMARY KEY); SELECT citus_add_local_table_to_metadata('notes');
		SELECT softdelete.enable('notes')}, qr/soft delete is not supported on table "notes": it is a Citus local table/ ])
{
	($ret, $stdout, $stderr) = $coord->psql('postgres', $case->[0]);
	like($stderr, $case->[1], 'refused: ' . (split /\n/, $case->[0])[-1]) or diag($stderr);
}

done_testing();
